package dev.strata.provider.nvidia.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.provider.nvidia.device.DriverText;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Nvml} bound to {@code libnvidia-ml.so.1} through JNA interface mapping. Structures are
 * read from native memory at the offsets of {@code nvml.h}:
 * <ul>
 * <li>{@code nvmlPciInfo_t} (68 bytes): busIdLegacy[16]@0, domain@16, bus@20, device@24,
 *     pciDeviceId@28, pciSubSystemId@32, busId[32]@36;</li>
 * <li>{@code nvmlMemory_t}: total@0, free@8, used@16 (unsigned long long);</li>
 * <li>{@code nvmlUtilization_t}: gpu@0, memory@4;</li>
 * <li>{@code nvmlGpuInstanceProfileInfo_v2_t} (152 bytes, version = size | 2 &lt;&lt; 24): version@0,
 *     id@4, isP2pSupported@8, sliceCount@12, instanceCount@16, multiprocessorCount@20, copy engine,
 *     decoder, encoder, jpeg, ofa counts@24..40, memorySizeMB@48, name[96]@56; the v1 structure
 *     (48 bytes) lacks version and name: id@0, sliceCount@8, instanceCount@12,
 *     multiprocessorCount@16, memorySizeMB@40;</li>
 * <li>{@code nvmlGpuInstancePlacement_t}: start@0, size@4;</li>
 * <li>{@code nvmlEventData_t}: device@0, eventType@8, eventData (the XID)@16, gpuInstanceId@24,
 *     computeInstanceId@28.</li>
 * </ul>
 * JNA types stay in this package. All calls may come from any thread (NVML is thread-safe);
 * {@link NvmlSource} confines them to one. A device whose {@code nvmlDeviceGetHandleByIndex_v2}
 * fails on {@link #init()} with an error of its own ({@link NvmlErrors#concernsEveryDevice} false:
 * {@code NVML_ERROR_GPU_IS_LOST}, {@code _UNKNOWN} and the like) keeps its index, and each of its
 * calls answers that error, so that it does not keep the other devices from being read.
 */
public final class JnaNvml implements Nvml {

    private static final Logger LOG = LoggerFactory.getLogger(JnaNvml.class);

    /** Where drivers and container runtimes put the library, tried after the loader's search path. */
    static final List<String> CANDIDATES = List.of("libnvidia-ml.so.1", "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
            "/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "/usr/lib64/libnvidia-ml.so.1",
            "nvidia-ml");

    private static final int PCI_INFO_SIZE = 68;
    private static final int PROFILE_V2_SIZE = 152;
    private static final int PROFILE_V2_VERSION = PROFILE_V2_SIZE | (2 << 24);
    private static final int PROFILE_V1_SIZE = 48;
    private static final int EVENT_DATA_SIZE = 64;
    private static final long EVENT_XID_CRITICAL_ERROR = 0x8L;
    private static final int AFFINITY_WORDS = 64;
    private static final int AFFINITY_SCOPE_NODE = 0;
    private static final int BUFFER = 96;

    private final NvmlLibrary lib;
    private final String loadedFrom;
    /** By index; null for a device whose handle NVML would not give. */
    private volatile Pointer[] handles = new Pointer[0];
    /** By index: what {@code nvmlDeviceGetHandleByIndex_v2} answered where the handle is null. */
    private volatile int[] handleErrors = new int[0];
    private volatile Pointer eventSet;

    /** Over a library already loaded; tests pass a stand-in. */
    JnaNvml(NvmlLibrary lib, String loadedFrom) {
        this.lib = lib;
        this.loadedFrom = loadedFrom;
    }

    /**
     * Loads the library.
     *
     * @param configured a path to the library, or blank to try the loader's search path and the
     *     usual driver locations
     * @throws SourceUnavailableException when no candidate can be loaded
     */
    public static JnaNvml load(String configured) throws SourceUnavailableException {
        List<String> candidates = configured == null || configured.isBlank() ? CANDIDATES : List.of(configured.strip());
        List<String> failures = new ArrayList<>();
        for (String candidate : candidates) {
            if (candidate.startsWith("/") && !Files.exists(Path.of(candidate))) {
                failures.add(candidate + ": no such file");
                continue;
            }
            try {
                return new JnaNvml(Native.load(candidate, NvmlLibrary.class), candidate);
            } catch (LinkageError | RuntimeException e) {
                failures.add(candidate + ": " + firstLine(e.getMessage()));
            }
        }
        // each failure quotes the configured path (nvmlLibrary), and the loader's message quotes it again: shown escaped, since
        // this reaches the log line that tells why NVML is not used
        throw new SourceUnavailableException("NVML library not loadable (" + InvalidConfigurationException.printable(String.join("; ", failures)) + ")");
    }

    /** The name or path the library was loaded by. */
    public String loadedFrom() {
        return loadedFrom;
    }

    @Override
    public void init() {
        check("nvmlInit_v2", lib::nvmlInit_v2);
        IntByReference count = new IntByReference();
        check("nvmlDeviceGetCount_v2", () -> lib.nvmlDeviceGetCount_v2(count));
        Pointer[] found = new Pointer[count.getValue()];
        int[] errors = new int[found.length];
        for (int i = 0; i < found.length; i++) {
            PointerByReference handle = new PointerByReference();
            int index = i;
            int rc = call(() -> lib.nvmlDeviceGetHandleByIndex_v2(index, handle));
            if (rc == NvmlErrors.SUCCESS) {
                found[i] = handle.getValue();
            } else if (NvmlErrors.concernsEveryDevice(rc)) {
                throw new NvmlException("nvmlDeviceGetHandleByIndex_v2", rc);
            } else {
                // a device NVML cannot reach (NVML_ERROR_GPU_IS_LOST, _UNKNOWN...): each of its calls answers this
                errors[i] = rc;
                LOG.debug("NVML gives no handle for device {}: {}", i, NvmlErrors.name(rc));
            }
        }
        handleErrors = errors;
        handles = found;
        registerXidEvents(found);
    }

    private void registerXidEvents(Pointer[] devices) {
        try {
            PointerByReference set = new PointerByReference();
            check("nvmlEventSetCreate", () -> lib.nvmlEventSetCreate(set));
            int registered = 0;
            for (Pointer device : devices) {
                if (device == null) {
                    continue;
                }
                int rc = call(() -> lib.nvmlDeviceRegisterEvents(device, EVENT_XID_CRITICAL_ERROR, set.getValue()));
                registered += rc == NvmlErrors.SUCCESS ? 1 : 0;
            }
            if (registered == 0) {
                call(() -> lib.nvmlEventSetFree(set.getValue()));
                LOG.debug("No GPU offers XID events; health will not include XID errors");
                return;
            }
            eventSet = set.getValue();
        } catch (NvmlException e) {
            LOG.debug("XID events unavailable: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        Pointer set = eventSet;
        eventSet = null;
        if (set != null) {
            call(() -> lib.nvmlEventSetFree(set));
        }
        handles = new Pointer[0];
        handleErrors = new int[0];
        int rc = call(lib::nvmlShutdown);
        if (rc != NvmlErrors.SUCCESS) {
            LOG.debug("nvmlShutdown returned {}", NvmlErrors.name(rc));
        }
    }

    @Override
    public String systemDriverVersion() {
        // the driver's text, as a board's name is: it reaches every GPU's attributes, the shell and the log
        return text("nvmlSystemGetDriverVersion", buffer -> lib.nvmlSystemGetDriverVersion(buffer, buffer.length));
    }

    @Override
    public int systemCudaDriverVersion() {
        IntByReference version = new IntByReference();
        check("nvmlSystemGetCudaDriverVersion_v2", () -> lib.nvmlSystemGetCudaDriverVersion_v2(version));
        return version.getValue();
    }

    @Override
    public int deviceCount() {
        return handles.length;
    }

    @Override
    public String name(int gpu) {
        return text("nvmlDeviceGetName", buffer -> lib.nvmlDeviceGetName(device(gpu), buffer, buffer.length));
    }

    @Override
    public String uuid(int gpu) {
        return text("nvmlDeviceGetUUID", buffer -> lib.nvmlDeviceGetUUID(device(gpu), buffer, buffer.length));
    }

    @Override
    public String serial(int gpu) {
        return text("nvmlDeviceGetSerial", buffer -> lib.nvmlDeviceGetSerial(device(gpu), buffer, buffer.length));
    }

    @Override
    public String vbiosVersion(int gpu) {
        return text("nvmlDeviceGetVbiosVersion", buffer -> lib.nvmlDeviceGetVbiosVersion(device(gpu), buffer, buffer.length));
    }

    @Override
    public PciInfo pciInfo(int gpu) {
        Memory pci = new Memory(PCI_INFO_SIZE);
        pci.clear();
        check("nvmlDeviceGetPciInfo_v3", () -> lib.nvmlDeviceGetPciInfo_v3(device(gpu), pci));
        return pciInfo(pci);
    }

    private static PciInfo pciInfo(Memory pci) {
        return new PciInfo(pci.getString(36, StandardCharsets.US_ASCII.name()), pci.getInt(16), pci.getInt(20), pci.getInt(24),
                pci.getInt(28), pci.getInt(32));
    }

    @Override
    public MemoryInfo memoryInfo(int gpu) {
        Memory memory = new Memory(24);
        memory.clear();
        check("nvmlDeviceGetMemoryInfo", () -> lib.nvmlDeviceGetMemoryInfo(device(gpu), memory));
        return new MemoryInfo(memory.getLong(0), memory.getLong(8), memory.getLong(16));
    }

    @Override
    public int[] cudaComputeCapability(int gpu) {
        IntByReference major = new IntByReference();
        IntByReference minor = new IntByReference();
        check("nvmlDeviceGetCudaComputeCapability", () -> lib.nvmlDeviceGetCudaComputeCapability(device(gpu), major, minor));
        return new int[] {major.getValue(), minor.getValue()};
    }

    @Override
    public int powerManagementLimit(int gpu) {
        return intValue("nvmlDeviceGetPowerManagementLimit", v -> lib.nvmlDeviceGetPowerManagementLimit(device(gpu), v));
    }

    @Override
    public int powerManagementDefaultLimit(int gpu) {
        return intValue("nvmlDeviceGetPowerManagementDefaultLimit", v -> lib.nvmlDeviceGetPowerManagementDefaultLimit(device(gpu), v));
    }

    @Override
    public PowerConstraints powerManagementLimitConstraints(int gpu) {
        IntByReference min = new IntByReference();
        IntByReference max = new IntByReference();
        check("nvmlDeviceGetPowerManagementLimitConstraints",
                () -> lib.nvmlDeviceGetPowerManagementLimitConstraints(device(gpu), min, max));
        return new PowerConstraints(min.getValue(), max.getValue());
    }

    @Override
    public int enforcedPowerLimit(int gpu) {
        return intValue("nvmlDeviceGetEnforcedPowerLimit", v -> lib.nvmlDeviceGetEnforcedPowerLimit(device(gpu), v));
    }

    @Override
    public Modes eccMode(int gpu) {
        IntByReference current = new IntByReference();
        IntByReference pending = new IntByReference();
        check("nvmlDeviceGetEccMode", () -> lib.nvmlDeviceGetEccMode(device(gpu), current, pending));
        return new Modes(current.getValue() != 0, pending.getValue() != 0);
    }

    @Override
    public int currPcieLinkGeneration(int gpu) {
        return intValue("nvmlDeviceGetCurrPcieLinkGeneration", v -> lib.nvmlDeviceGetCurrPcieLinkGeneration(device(gpu), v));
    }

    @Override
    public int currPcieLinkWidth(int gpu) {
        return intValue("nvmlDeviceGetCurrPcieLinkWidth", v -> lib.nvmlDeviceGetCurrPcieLinkWidth(device(gpu), v));
    }

    @Override
    public int maxPcieLinkGeneration(int gpu) {
        return intValue("nvmlDeviceGetMaxPcieLinkGeneration", v -> lib.nvmlDeviceGetMaxPcieLinkGeneration(device(gpu), v));
    }

    @Override
    public int maxPcieLinkWidth(int gpu) {
        return intValue("nvmlDeviceGetMaxPcieLinkWidth", v -> lib.nvmlDeviceGetMaxPcieLinkWidth(device(gpu), v));
    }

    @Override
    public Modes migMode(int gpu) {
        IntByReference current = new IntByReference();
        IntByReference pending = new IntByReference();
        check("nvmlDeviceGetMigMode", () -> lib.nvmlDeviceGetMigMode(device(gpu), current, pending));
        return new Modes(current.getValue() != 0, pending.getValue() != 0);
    }

    @Override
    public GpuInstanceProfile gpuInstanceProfile(int gpu, int profileIndex) {
        Memory info = new Memory(PROFILE_V2_SIZE);
        info.clear();
        info.setInt(0, PROFILE_V2_VERSION);
        int rc = call(() -> lib.nvmlDeviceGetGpuInstanceProfileInfoV(device(gpu), profileIndex, info));
        if (rc == NvmlErrors.SUCCESS) {
            String name = info.getString(56, StandardCharsets.US_ASCII.name());
            return new GpuInstanceProfile(info.getInt(4), info.getInt(12), info.getInt(16), info.getInt(20), info.getLong(48),
                    name.isBlank() ? null : name);
        }
        if (rc != NvmlErrors.FUNCTION_NOT_FOUND) {
            throw new NvmlException("nvmlDeviceGetGpuInstanceProfileInfoV", rc);
        }
        Memory v1 = new Memory(PROFILE_V1_SIZE);
        v1.clear();
        check("nvmlDeviceGetGpuInstanceProfileInfo", () -> lib.nvmlDeviceGetGpuInstanceProfileInfo(device(gpu), profileIndex, v1));
        return new GpuInstanceProfile(v1.getInt(0), v1.getInt(8), v1.getInt(12), v1.getInt(16), v1.getLong(40), null);
    }

    @Override
    public List<Placement> gpuInstancePossiblePlacements(int gpu, int profileId) {
        int capacity = 32;
        Memory placements = new Memory(8L * capacity);
        placements.clear();
        IntByReference count = new IntByReference(capacity);
        check("nvmlDeviceGetGpuInstancePossiblePlacements_v2",
                () -> lib.nvmlDeviceGetGpuInstancePossiblePlacements_v2(device(gpu), profileId, placements, count));
        List<Placement> out = new ArrayList<>();
        for (int i = 0; i < Math.min(count.getValue(), capacity); i++) {
            out.add(new Placement(placements.getInt(8L * i), placements.getInt(8L * i + 4)));
        }
        return out;
    }

    @Override
    public boolean nvLinkActive(int gpu, int link) {
        return intValue("nvmlDeviceGetNvLinkState", v -> lib.nvmlDeviceGetNvLinkState(device(gpu), link, v)) != 0;
    }

    @Override
    public PciInfo nvLinkRemotePciInfo(int gpu, int link) {
        Memory pci = new Memory(PCI_INFO_SIZE);
        pci.clear();
        check("nvmlDeviceGetNvLinkRemotePciInfo_v2", () -> lib.nvmlDeviceGetNvLinkRemotePciInfo_v2(device(gpu), link, pci));
        return pciInfo(pci);
    }

    @Override
    public int nvLinkRemoteDeviceType(int gpu, int link) {
        return intValue("nvmlDeviceGetNvLinkRemoteDeviceType", v -> lib.nvmlDeviceGetNvLinkRemoteDeviceType(device(gpu), link, v));
    }

    @Override
    public int topologyCommonAncestor(int gpu1, int gpu2) {
        return intValue("nvmlDeviceGetTopologyCommonAncestor",
                v -> lib.nvmlDeviceGetTopologyCommonAncestor(device(gpu1), device(gpu2), v));
    }

    @Override
    public long[] cpuAffinity(int gpu) {
        Memory set = new Memory((long) AFFINITY_WORDS * NativeLong.SIZE);
        set.clear();
        check("nvmlDeviceGetCpuAffinity", () -> lib.nvmlDeviceGetCpuAffinity(device(gpu), AFFINITY_WORDS, set));
        return words(set);
    }

    @Override
    public long[] memoryAffinity(int gpu) {
        Memory set = new Memory((long) AFFINITY_WORDS * NativeLong.SIZE);
        set.clear();
        check("nvmlDeviceGetMemoryAffinity",
                () -> lib.nvmlDeviceGetMemoryAffinity(device(gpu), AFFINITY_WORDS, set, AFFINITY_SCOPE_NODE));
        return words(set);
    }

    /** Native {@code unsigned long} words as 64-bit words, lowest bits first. */
    private static long[] words(Memory set) {
        int size = NativeLong.SIZE;
        long[] out = new long[(AFFINITY_WORDS * size + 7) / 8];
        for (int i = 0; i < AFFINITY_WORDS; i++) {
            long word = set.getNativeLong((long) i * size).longValue();
            int bit = i * size * 8;
            out[bit / 64] |= size == 8 ? word : (word & 0xFFFFFFFFL) << (bit % 64);
        }
        return out;
    }

    @Override
    public int numaNodeId(int gpu) {
        return intValue("nvmlDeviceGetNumaNodeId", v -> lib.nvmlDeviceGetNumaNodeId(device(gpu), v));
    }

    @Override
    public Utilization utilization(int gpu) {
        Memory rates = new Memory(8);
        rates.clear();
        check("nvmlDeviceGetUtilizationRates", () -> lib.nvmlDeviceGetUtilizationRates(device(gpu), rates));
        return new Utilization(rates.getInt(0), rates.getInt(4));
    }

    @Override
    public int powerUsage(int gpu) {
        return intValue("nvmlDeviceGetPowerUsage", v -> lib.nvmlDeviceGetPowerUsage(device(gpu), v));
    }

    @Override
    public int temperature(int gpu) {
        return intValue("nvmlDeviceGetTemperature", v -> lib.nvmlDeviceGetTemperature(device(gpu), 0, v));
    }

    @Override
    public int clock(int gpu, int clockType) {
        return intValue("nvmlDeviceGetClockInfo", v -> lib.nvmlDeviceGetClockInfo(device(gpu), clockType, v));
    }

    @Override
    public long clocksEventReasons(int gpu) {
        LongByReference reasons = new LongByReference();
        int rc = call(() -> lib.nvmlDeviceGetCurrentClocksEventReasons(device(gpu), reasons));
        if (rc == NvmlErrors.FUNCTION_NOT_FOUND) {
            check("nvmlDeviceGetCurrentClocksThrottleReasons", () -> lib.nvmlDeviceGetCurrentClocksThrottleReasons(device(gpu), reasons));
        } else if (rc != NvmlErrors.SUCCESS) {
            throw new NvmlException("nvmlDeviceGetCurrentClocksEventReasons", rc);
        }
        return reasons.getValue();
    }

    @Override
    public long volatileEccErrors(int gpu, boolean uncorrected) {
        LongByReference count = new LongByReference();
        check("nvmlDeviceGetTotalEccErrors", () -> lib.nvmlDeviceGetTotalEccErrors(device(gpu), uncorrected ? 1 : 0, 0, count));
        return count.getValue();
    }

    @Override
    public boolean retiredPagesPending(int gpu) {
        return intValue("nvmlDeviceGetRetiredPagesPendingStatus", v -> lib.nvmlDeviceGetRetiredPagesPendingStatus(device(gpu), v)) != 0;
    }

    @Override
    public RemappedRows remappedRows(int gpu) {
        IntByReference corrected = new IntByReference();
        IntByReference uncorrected = new IntByReference();
        IntByReference pending = new IntByReference();
        IntByReference failed = new IntByReference();
        check("nvmlDeviceGetRemappedRows", () -> lib.nvmlDeviceGetRemappedRows(device(gpu), corrected, uncorrected, pending, failed));
        return new RemappedRows(corrected.getValue(), uncorrected.getValue(), pending.getValue() != 0, failed.getValue() != 0);
    }

    @Override
    public boolean inforomCorrupted(int gpu) {
        int rc = call(() -> lib.nvmlDeviceValidateInforom(device(gpu)));
        if (rc == NvmlErrors.CORRUPTED_INFOROM) {
            return true;
        }
        if (rc != NvmlErrors.SUCCESS) {
            throw new NvmlException("nvmlDeviceValidateInforom", rc);
        }
        return false;
    }

    @Override
    public List<XidEvent> pollXidEvents() {
        Pointer set = eventSet;
        if (set == null) {
            return List.of();
        }
        List<XidEvent> events = new ArrayList<>();
        Memory data = new Memory(EVENT_DATA_SIZE);
        for (int i = 0; i < 64; i++) {
            data.clear();
            int rc = call(() -> lib.nvmlEventSetWait_v2(set, data, 1));
            if (rc != NvmlErrors.SUCCESS) {
                break;
            }
            if ((data.getLong(8) & EVENT_XID_CRITICAL_ERROR) != 0) {
                long device = Pointer.nativeValue(data.getPointer(0));
                Pointer[] known = handles;
                for (int gpu = 0; gpu < known.length; gpu++) {
                    if (known[gpu] != null && Pointer.nativeValue(known[gpu]) == device) {
                        events.add(new XidEvent(gpu, data.getLong(16)));
                    }
                }
            }
        }
        return events;
    }

    private Pointer device(int gpu) {
        Pointer[] known = handles;
        if (gpu < 0 || gpu >= known.length) {
            throw new NvmlException("device index " + gpu, NvmlErrors.INVALID_ARGUMENT);
        }
        if (known[gpu] == null) {
            int[] errors = handleErrors;
            throw new NvmlException("nvmlDeviceGetHandleByIndex_v2", gpu < errors.length ? errors[gpu] : NvmlErrors.UNINITIALIZED);
        }
        return known[gpu];
    }

    private interface BufferCall {
        int call(byte[] buffer);
    }

    private interface IntCall {
        int call(IntByReference value);
    }

    private String text(String function, BufferCall call) {
        byte[] buffer = new byte[BUFFER];
        check(function, () -> call.call(buffer));
        return DriverText.clean(Native.toString(buffer, StandardCharsets.US_ASCII.name()));
    }

    private int intValue(String function, IntCall call) {
        IntByReference value = new IntByReference();
        check(function, () -> call.call(value));
        return value.getValue();
    }

    /** Calls a function, turning a symbol missing from an older driver into {@code NVML_ERROR_FUNCTION_NOT_FOUND}. */
    private static int call(IntSupplier function) {
        try {
            return function.getAsInt();
        } catch (UnsatisfiedLinkError e) {
            return NvmlErrors.FUNCTION_NOT_FOUND;
        }
    }

    private static void check(String function, IntSupplier call) {
        int rc = call(call);
        if (rc != NvmlErrors.SUCCESS) {
            throw new NvmlException(function, rc);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
