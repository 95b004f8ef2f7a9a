package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.CpuSet;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Reads the compared properties from hwloc's XML export ({@code lstopo --of xml}, hwloc 2 format). */
final class HwlocXml {
    private static final Set<String> IO_TYPES = Set.of("Bridge", "PCIDev", "OSDev", "Misc");

    private HwlocXml() {
    }

    static TopologySummary parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setValidating(false);
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        DocumentBuilder builder = factory.newDocumentBuilder();
        Document document = builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

        int packages = 0;
        int cores = 0;
        int pus = 0;
        SortedMap<Integer, CpuSet> numaCpus = new TreeMap<>();
        SortedMap<Integer, Long> numaMemory = new TreeMap<>();
        SortedMap<String, Set<Integer>> pci = new TreeMap<>();
        NodeList objects = document.getElementsByTagName("object");
        for (int i = 0; i < objects.getLength(); i++) {
            Element object = (Element) objects.item(i);
            switch (object.getAttribute("type")) {
                case "Package" -> packages++;
                case "Core" -> cores++;
                case "PU" -> pus++;
                case "NUMANode" -> {
                    int id = Integer.parseInt(object.getAttribute("os_index"));
                    numaCpus.put(id, bitmap(object.getAttribute("cpuset")));
                    String memory = object.getAttribute("local_memory");
                    numaMemory.put(id, memory.isEmpty() ? 0L : Long.parseLong(memory));
                }
                default -> {
                    // other objects are not compared
                }
            }
            String busId = object.getAttribute("pci_busid");
            if (!busId.isEmpty()) {
                pci.put(busId.toLowerCase(java.util.Locale.ROOT), locality(object));
            }
        }
        return new TopologySummary(packages, cores, pus, numaCpus, numaMemory, pci);
    }

    /**
     * hwloc's bitmap text: comma-separated 32-bit words, most significant first, each with its own
     * {@code 0x} prefix, empty words meaning zero ({@code "0x00000001,,0x0"}); the cpumask format
     * once the prefixes are dropped.
     */
    static CpuSet bitmap(String text) {
        return CpuSet.parseMask(text.replace("0x", ""));
    }

    /** The NUMA nodes (nodeset) of the first non-I/O object above an I/O object. */
    private static Set<Integer> locality(Element object) {
        org.w3c.dom.Node parent = object.getParentNode();
        while (parent instanceof Element element && IO_TYPES.contains(element.getAttribute("type"))) {
            parent = element.getParentNode();
        }
        Set<Integer> nodes = new TreeSet<>();
        if (parent instanceof Element element && element.hasAttribute("nodeset")) {
            bitmap(element.getAttribute("nodeset")).stream().forEach(nodes::add);
        }
        return nodes;
    }
}
