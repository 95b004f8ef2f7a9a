package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.DriverText;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.HealthRules;
import dev.strata.provider.nvidia.device.ThrottleReasons;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Parses {@code nvidia-smi -q -x} with the JDK's DOM parser. The document names a DTD
 * ({@code nvsmi_device_v13.dtd}) that is never loaded: DTDs, external entities and XInclude are off.
 * Reads both the current layout ({@code gpu_power_readings}, {@code clocks_event_reasons}) and the
 * one of drivers before 525 ({@code power_readings}, {@code clocks_throttle_reasons}), and volatile
 * ECC counts both as SRAM/DRAM counters and as older drivers' {@code single_bit}/{@code double_bit}
 * totals. A GPU whose UUID is absent, empty, N/A or an error text is read with none
 * ({@link GpuIds}); so is a GPU whose product name is.
 */
public final class SmiXmlParser {

    private static final Pattern NUMBER = Pattern.compile("\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z%/()]*)\\s*");
    /** What nvidia-smi prints in place of a value it does not show, lower case and without brackets. */
    private static final Set<String> NOT_SHOWN = Set.of("n/a", "unknown error", "not supported", "insufficient permissions", "err!");

    private SmiXmlParser() {
    }

    /**
     * Parses the document, after the warnings nvidia-smi printed before it ({@link SmiWarnings}).
     *
     * @throws IllegalArgumentException when the bytes are not an {@code nvidia_smi_log} document
     */
    public static SmiLog parse(byte[] xml) {
        Element root = document(xml).getDocumentElement();
        if (!"nvidia_smi_log".equals(root.getTagName())) {
            throw new IllegalArgumentException("root element is <" + root.getTagName() + ">, expected <nvidia_smi_log>");
        }
        List<SmiGpu> gpus = new ArrayList<>();
        for (Element gpu : children(root, "gpu")) {
            gpus.add(gpu(gpus.size(), gpu));
        }
        return new SmiLog(text(root, "driver_version"), text(root, "cuda_version"), gpus);
    }

    private static Document document(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setValidating(false);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            builder.setErrorHandler(null);
            // a warning nvidia-smi printed before the prolog is not part of the document
            int start = SmiWarnings.skipLeading(xml);
            return builder.parse(new ByteArrayInputStream(xml, start, xml.length - start));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured safely", e);
        } catch (SAXException | IOException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    private static SmiGpu gpu(int index, Element gpu) {
        Element pci = child(gpu, "pci");
        Element link = pci == null ? null : child(pci, "pci_gpu_link_info");
        Element power = firstChild(gpu, "gpu_power_readings", "power_readings");
        boolean newPower = power != null && "gpu_power_readings".equals(power.getTagName());
        String busId = pci == null ? null : text(pci, "pci_bus_id");
        if (busId == null) {
            busId = gpu.getAttribute("id");
        }
        // a GPU without UUID or product name is read all the same: the mapper reports it FAILED
        String uuid = GpuIds.uuidOrNull(text(gpu, "uuid"));
        String productName = text(gpu, "product_name");
        Element remapped = child(gpu, "remapped_rows");
        Element retired = child(gpu, "retired_pages");
        String retiredPending = retired == null ? null : firstText(retired, "pending_retirement", "pending_blacklist");
        return new SmiGpu(
                index,
                busId,
                productName,
                uuid,
                text(gpu, "serial"),
                text(gpu, "vbios_version"),
                enabled(text(gpu, "mig_mode", "current_mig")),
                enabled(text(gpu, "mig_mode", "pending_mig")),
                (long) number(text(gpu, "fb_memory_usage", "total"), -1),
                text(gpu, "ecc_mode", "current_ecc"),
                (int) number(text(link, "pcie_gen", "current_link_gen"), 0),
                (int) number(text(link, "pcie_gen", "max_link_gen"), 0),
                (int) number(text(link, "link_widths", "current_link_width"), 0),
                (int) number(text(link, "link_widths", "max_link_width"), 0),
                number(text(power, newPower ? "current_power_limit" : "enforced_power_limit"), 0),
                number(text(power, newPower ? "requested_power_limit" : "power_limit"), 0),
                number(text(power, "default_power_limit"), 0),
                number(text(power, "min_power_limit"), 0),
                number(text(power, "max_power_limit"), 0),
                throttleReasons(firstChild(gpu, "clocks_event_reasons", "clocks_throttle_reasons")),
                yesNo(retiredPending),
                yesNo(text(remapped, "remapped_row_pending")),
                yesNo(text(remapped, "remapped_row_failure")),
                number(text(gpu, "utilization", "gpu_util"), -1),
                number(text(gpu, "utilization", "memory_util"), -1),
                (long) number(text(gpu, "fb_memory_usage", "used"), -1),
                number(firstText(power, "instant_power_draw", "power_draw", "average_power_draw"), -1),
                number(text(gpu, "temperature", "gpu_temp"), -1),
                (int) number(text(gpu, "clocks", "sm_clock"), -1),
                eccVolatile(gpu, false),
                eccVolatile(gpu, true),
                memoryRepair(gpu));
    }

    private static Set<String> throttleReasons(Element reasons) {
        Set<String> active = new TreeSet<>();
        if (reasons == null) {
            return active;
        }
        for (Element reason : children(reasons, null)) {
            String name = ThrottleReasons.ofXmlElement(reason.getTagName());
            if (name != null && "Active".equalsIgnoreCase(reason.getTextContent().strip())) {
                active.add(name);
            }
        }
        return active;
    }

    /**
     * The volatile ECC error count, corrected or uncorrected, in either layout: the current one
     * names each counter by memory and kind ({@code sram_correctable}, {@code sram_uncorrectable_parity},
     * {@code sram_uncorrectable_secded}, {@code dram_correctable}, {@code dram_uncorrectable}), which
     * are summed; older drivers print {@code single_bit} (corrected) and {@code double_bit}
     * (uncorrected), each with a count per memory location and their {@code total}.
     */
    private static long eccVolatile(Element gpu, boolean uncorrected) {
        Element errors = child(gpu, "ecc_errors");
        Element vol = errors == null ? null : child(errors, "volatile");
        if (vol == null) {
            return -1;
        }
        Element byBits = child(vol, uncorrected ? "double_bit" : "single_bit");
        if (byBits != null) {
            return eccBitErrors(byBits);
        }
        long sum = 0;
        boolean any = false;
        for (Element counter : children(vol, null)) {
            String tag = counter.getTagName();
            boolean isUncorrected = tag.contains("uncorrectable");
            boolean isCorrected = !isUncorrected && tag.contains("correctable");
            if (uncorrected ? isUncorrected : isCorrected) {
                double value = number(clean(counter.getTextContent()), -1);
                if (value >= 0) {
                    sum += (long) value;
                    any = true;
                }
            }
        }
        return any ? sum : -1;
    }

    /**
     * The count of an older driver's {@code single_bit} or {@code double_bit}: its {@code total},
     * or where that is not reported the sum of the locations that are ({@code device_memory},
     * {@code register_file}, {@code l1_cache}, {@code l2_cache}, {@code texture_memory} and the like);
     * -1 when none is.
     */
    private static long eccBitErrors(Element counters) {
        double total = number(text(counters, "total"), -1);
        if (total >= 0) {
            return (long) total;
        }
        long sum = 0;
        boolean any = false;
        for (Element location : children(counters, null)) {
            double value = number(clean(location.getTextContent()), -1);
            if (value >= 0) {
                sum += (long) value;
                any = true;
            }
        }
        return any ? sum : -1;
    }

    /**
     * The memory repair flags under {@code ecc_errors}, as drivers from 570 print them, and the
     * GPU's {@code gpu_recovery_action} ({@code None}, {@code Reset}, {@code Reboot},
     * {@code Drain P2P}, {@code Drain and Reset}).
     */
    private static HealthRules.MemoryRepair memoryRepair(Element gpu) {
        Element errors = child(gpu, "ecc_errors");
        return new HealthRules.MemoryRepair(yesNo(text(errors, "unrepairable_memory")), yesNo(text(errors, "channel_repair_pending")),
                yesNo(text(errors, "tpc_repair_pending")), yesNo(text(errors, "aggregate", "sram_threshold_exceeded")),
                text(gpu, "gpu_recovery_action"));
    }

    /** The number at the start of a value such as {@code 143771 MiB}, {@code 700.00 W} or {@code 16x}. */
    static double number(String value, double unknown) {
        if (value == null) {
            return unknown;
        }
        Matcher m = NUMBER.matcher(value);
        return m.matches() ? Double.parseDouble(m.group(1)) : unknown;
    }

    private static Boolean enabled(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "enabled" -> Boolean.TRUE;
            case "disabled" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static Boolean yesNo(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> Boolean.TRUE;
            case "no" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** The text at a path of child elements, null when absent or {@code N/A}. */
    private static String text(Element from, String... path) {
        Element e = from;
        for (String name : path) {
            if (e == null) {
                return null;
            }
            e = child(e, name);
        }
        return e == null ? null : clean(e.getTextContent());
    }

    private static String firstText(Element from, String... names) {
        for (String name : names) {
            String value = text(from, name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /**
     * The text of a value, or null where nvidia-smi shows none: empty, {@code N/A}, or one of the texts it prints in place of
     * a value ({@code Unknown Error}, {@code Not Supported}, {@code Insufficient Permissions}, {@code ERR!},
     * {@code Requested functionality has been deprecated}), each also in brackets as its CSV output prints them
     * ({@code [Unknown Error]}): such a text is no serial, no ECC mode and no recovery action the driver asks for.
     */
    private static String clean(String value) {
        String v = value == null ? "" : DriverText.clean(value);
        String bare = v.length() > 1 && v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1).strip() : v;
        if (bare.isEmpty() || NOT_SHOWN.contains(bare.toLowerCase(Locale.ROOT)) || bare.startsWith("Requested functionality")) {
            return null;
        }
        return v;
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static Element firstChild(Element parent, String... names) {
        for (String name : names) {
            Element e = child(parent, name);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }
}
