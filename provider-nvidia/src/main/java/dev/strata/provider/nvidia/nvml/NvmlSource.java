package dev.strata.provider.nvidia.nvml;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.GpuSource;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import dev.strata.provider.nvidia.device.XidLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs read through NVML. The library is loaded and initialised on the first discovery, not
 * before, and shut down on {@link #close()}. Every NVML call runs on one daemon thread
 * ({@code strata-nvml}); callers wait for it no longer than their deadline, so a GPU that hangs
 * inside the driver cannot block discovery past it (the stuck call is abandoned, and further calls
 * are refused while a few are queued behind it). Concurrent discoveries take turns: each waits for
 * the one before it within its own deadline, so they queue on the caller's side, not on the NVML
 * thread. A GPU without UUID is discovered (see {@link NvmlMapper}) but not sampled, as through
 * nvidia-smi. A GPU NVML cannot reach is discovered FAILED; a round of sampling leaves out each GPU
 * whose readings fail with an error of its own and samples the others.
 */
public final class NvmlSource implements GpuSource {

    public static final String NAME = "nvml";
    private static final Logger LOG = LoggerFactory.getLogger(NvmlSource.class);

    /** Loads the library (not yet initialised). */
    @FunctionalInterface
    public interface Loader {
        Nvml load() throws SourceUnavailableException;
    }

    private final Loader loader;
    private final XidLog xids;
    private final PciSysfs sysfs;
    private final Clock clock;
    private final String host;
    private ThreadPoolExecutor executor;
    /** Touched only on the NVML thread. */
    private Nvml nvml;
    private List<String> ids = List.of();
    private volatile boolean discovered;
    /** One discovery at a time on the NVML thread; the others wait here, within their deadline. */
    private final Semaphore turn = new Semaphore(1, true);

    /**
     * @param host this host, as {@link GpuIds#host} names it: part of the id of a GPU without UUID
     */
    public NvmlSource(Loader loader, XidLog xids, PciSysfs sysfs, Clock clock, String host) {
        this.loader = loader;
        this.xids = xids;
        this.sysfs = sysfs;
        this.clock = clock;
        this.host = host;
    }

    /** NVML through JNA from {@code libraryPath}, or from the usual places when it is blank. */
    public static NvmlSource jna(String libraryPath, XidLog xids, PciSysfs sysfs, Clock clock, String host) {
        return new NvmlSource(() -> JnaNvml.load(libraryPath), xids, sysfs, clock, host);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DiscoveredGpus discover(DiscoveryContext context) throws SourceUnavailableException {
        context.checkDeadline("NVML discovery");
        try {
            if (!turn.tryAcquire(Math.max(0, context.remaining().toNanos()), TimeUnit.NANOSECONDS)) {
                throw new ProviderTimeoutException("NVML discovery did not get its turn before the deadline: another discovery holds NVML");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted while waiting for NVML (operation " + context.operationId() + ")");
        }
        try {
            context.checkDeadline("NVML discovery");
            return await(context.remaining(), "NVML discovery", () -> {
                Nvml lib = initialised();
                drainXids(lib);
                DiscoveredGpus found = NvmlMapper.map(lib, xids, sysfs, host);
                List<String> seen = new ArrayList<>();
                found.accelerators().forEach(a -> seen.add(a.id()));
                ids = List.copyOf(seen);
                discovered = !seen.isEmpty();
                return found;
            });
        } finally {
            turn.release();
        }
    }

    @Override
    public List<GpuSample> sample(Duration timeout) {
        if (!discovered) {
            return List.of();
        }
        try {
            return await(timeout, "NVML sampling", () -> {
                Nvml lib = initialised();
                drainXids(lib);
                Instant at = clock.instant();
                List<GpuSample> samples = new ArrayList<>();
                for (int gpu = 0; gpu < ids.size(); gpu++) {
                    if (GpuIds.isWithoutUuid(ids.get(gpu))) {
                        continue;
                    }
                    try {
                        samples.add(NvmlSamples.of(lib, gpu, ids.get(gpu), at));
                    } catch (NvmlException e) {
                        if (NvmlErrors.concernsEveryDevice(e.code())) {
                            throw e;
                        }
                        // a GPU NVML cannot reach is not sampled; the others are
                        LOG.debug("GPU {} not sampled: {}", ids.get(gpu), e.getMessage());
                    }
                }
                return samples;
            });
        } catch (SourceUnavailableException e) {
            throw new ProviderFailureException("NVML became unavailable: " + e.getMessage(), e);
        }
    }

    private Nvml initialised() throws SourceUnavailableException {
        if (nvml == null) {
            Nvml lib = loader.load();
            try {
                lib.init();
            } catch (NvmlException e) {
                if (NvmlErrors.makesUnavailable(e.code())) {
                    throw new SourceUnavailableException("NVML cannot start: " + e.getMessage(), e);
                }
                throw e;
            }
            nvml = lib;
        }
        return nvml;
    }

    private void drainXids(Nvml lib) {
        for (Nvml.XidEvent event : lib.pollXidEvents()) {
            String id = event.gpu() < ids.size() ? ids.get(event.gpu()) : NvmlMapper.identify(lib, event.gpu(), host).id();
            LOG.warn("GPU {} reported XID {}", id, event.xid());
            xids.record(id, (int) event.xid());
        }
    }

    private <T> T await(Duration timeout, String what, Callable<T> task) throws SourceUnavailableException {
        Future<T> future;
        try {
            future = executor().submit(task);
        } catch (RejectedExecutionException e) {
            throw new ProviderTimeoutException(what + " refused: earlier NVML calls have not returned");
        }
        try {
            return future.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ProviderTimeoutException(what + " did not finish within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted during " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SourceUnavailableException unavailable) {
                throw unavailable;
            }
            if (cause instanceof NvmlException nvmlError) {
                throw NvmlErrors.translate(nvmlError);
            }
            if (cause instanceof StrataException strata) {
                throw strata;
            }
            throw new ProviderFailureException(what + " failed: " + cause, cause);
        }
    }

    private synchronized ThreadPoolExecutor executor() {
        if (executor == null) {
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(4), runnable -> {
                Thread thread = new Thread(runnable, "strata-nvml");
                thread.setDaemon(true);
                return thread;
            });
        }
        return executor;
    }

    @Override
    public void close() {
        ThreadPoolExecutor running;
        synchronized (this) {
            running = executor;
            executor = null;
        }
        discovered = false;
        if (running == null) {
            return;
        }
        try {
            running.submit(() -> {
                if (nvml != null) {
                    nvml.close();
                    nvml = null;
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("NVML thread busy at close; the library is left to the process exit");
        }
        running.shutdown();
        try {
            if (!running.awaitTermination(2, TimeUnit.SECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
