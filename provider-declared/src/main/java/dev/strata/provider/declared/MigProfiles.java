package dev.strata.provider.declared;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.model.PartitionProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MIG profiles of a declared GPU model ({@code gpus.migProfiles}), with the placements NVIDIA
 * allows each profile, so that placement fills a GPU exactly as the real one can be filled.
 *
 * <p>Each entry is either the full form, as {@code nvidia-smi mig -lgip} and {@code -lgipp} report it:
 * <pre>{profile: 1g.10gb, id: 19, instances: 7, memory: 9.75GiB, placements: [0, 1, 2, 3, 4, 5, 6], slots: 1}</pre>
 * or the shorthand {@code 1g.10gb:7} (profile and instance count; memory as the name says). The
 * shorthand is understood for GPUs with 7 compute slices and 8 memory slots (A100, H100, H200),
 * whose placements NVIDIA fixes by the profile's slices and memory (as the H100 and H200 captures
 * in {@code shared/fixtures/nvidia} list them): {@code 7g} at 0 over 8 slots; {@code 4g} at 0 over
 * 4; {@code 3g} at 0 or 4 over 4; {@code 2g} at 0, 2 or 4 over 2; a {@code 1g} with twice the
 * smallest memory at 0, 2, 4 or 6 over 2; the smallest {@code 1g} at 0 to 6 over 1. The memory
 * slots a shorthand profile spans are its memory over an eighth of the GPU's, rounded. Any other
 * GPU needs the full form.
 */
final class MigProfiles {

    private static final Pattern SHORTHAND = Pattern.compile("(\\d+)g\\.(\\d+)gb(\\+me)?:(\\d+)");
    private static final Pattern NAME = Pattern.compile("(\\d+)g\\.(\\d+)gb(\\+me)?");
    private static final Set<String> FULL = Set.of("profile", "id", "instances", "memory", "placements", "slots");
    /** The most compute slices a profile name may give (16g), as the memory slots a placement may span. */
    static final int MAX_SLICES = 16;
    /** The most GB a profile name may give (65536gb); its bytes fit a long many times over. */
    static final int MAX_GB = 65_536;
    /** The most instances of one profile, in either form. */
    static final int MAX_INSTANCES = 16;
    /** The most profiles of one GPU: what placement's table of a GPU holds (MigTable). */
    static final int MAX_PROFILES = 15;

    private MigProfiles() {
    }

    /**
     * The profiles of {@code gpus.migProfiles}.
     *
     * @param gpuMemoryBytes the GPU's memory, for the shorthand's memory slots
     */
    static List<PartitionProfile> read(JsonNode list, String path, long gpuMemoryBytes, Problems problems) {
        List<PartitionProfile> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            problems.add(path, list, "a list of MIG profiles, such as [1g.10gb:7, 3g.40gb:2]");
            return out;
        }
        int computeSlices = 0;
        for (JsonNode p : list) {
            Matcher m = NAME.matcher(p.isObject() ? p.path("profile").asText() : p.asText().replaceFirst(":\\d+$", ""));
            if (m.matches()) {
                // a number out of bounds counts for nothing here; the profile is refused below
                computeSlices = Math.max(computeSlices, bounded(m.group(1), 1, MAX_SLICES));
            }
        }
        java.util.Map<String, Integer> listed = new java.util.HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode p = list.get(i);
            String at = path + "[" + i + "]";
            PartitionProfile profile = p.isObject() ? full(p, at, computeSlices, gpuMemoryBytes, problems) : shorthand(p, at, computeSlices, gpuMemoryBytes, problems);
            if (profile != null && listed.containsKey(profile.name())) {
                // placement knows a GPU's profiles by name: one of the two would be dropped without a word
                problems.add(p.isObject() ? at + ".profile" : at, p.isObject() ? p.get("profile") : p, "a profile listed once ("
                        + profile.name() + " is " + path + "[" + listed.get(profile.name()) + "] too)");
            } else if (profile != null) {
                listed.put(profile.name(), i);
                out.add(profile);
            }
        }
        if (out.size() > MAX_PROFILES) {
            // placement cannot hold the table, and places no partition of such a GPU at all, without a word
            problems.add(path, list, "at most " + MAX_PROFILES + " MIG profiles, as many as placement holds in a GPU's table (this"
                    + " list has " + out.size() + "; with more, no partition of the GPU is placed)");
        }
        return out;
    }

    /**
     * A problem where {@code instances} instances of {@code g} compute slices each need more than the
     * GPU's {@code computeSlices} (those of the largest profile listed): a table listing only
     * {@code 1g.10gb} made a GPU of 1 compute slice, on which placement put one instance where the
     * GPU holds seven (and counted it a whole GPU); {@code 1g.10gb:16} was shown as 16 instances of
     * a GPU that holds 7.
     */
    private static boolean tooManyInstances(int instances, int g, int computeSlices, String at, JsonNode value, Problems problems) {
        if (instances < 1 || g < 1 || (long) instances * g <= computeSlices) {
            return false;
        }
        problems.add(at, value, "at most " + (computeSlices / g) + " instances of " + g + " compute slices, as many as fit the GPU's "
                + computeSlices + " (a GPU's compute slices are those of the largest profile listed, such as 7g.80gb: list it too)");
        return true;
    }

    /**
     * The most instances of {@code slots} slots each that fit side by side at {@code starts}
     * (ascending): the earliest-ending start that is free taken first, which is the most for
     * intervals of one length.
     */
    static int sideBySide(List<Integer> starts, int slots) {
        int count = 0;
        long free = Long.MIN_VALUE;
        for (int s : starts) {
            if (s >= free) {
                count++;
                free = (long) s + slots;
            }
        }
        return count;
    }

    private static PartitionProfile full(JsonNode p, String at, int computeSlices, long gpuMemoryBytes, Problems problems) {
        problems.unknownFields(p, at + ".", FULL);
        Matcher name = NAME.matcher(p.path("profile").asText());
        if (!p.path("profile").isTextual() || !name.matches()) {
            problems.add(at + ".profile", p.get("profile"), "a MIG profile name such as 1g.10gb or 3g.40gb+me");
            return null;
        }
        int before = problems.size();
        String outOfBounds = nameOutOfBounds(name);
        if (outOfBounds != null) {
            problems.add(at + ".profile", p.get("profile"), outOfBounds);
        }
        int id = p.hasNonNull("id") ? wholeNumber(p.get("id"), at + ".id", 0, 1_000, problems) : -1;
        int instances = wholeNumber(p.get("instances"), at + ".instances", 1, MAX_INSTANCES, problems);
        int slots = wholeNumber(p.get("slots"), at + ".slots", 1, 16, problems);
        List<Integer> placements = new ArrayList<>();
        JsonNode starts = p.get("placements");
        if (starts == null || !starts.isArray() || starts.isEmpty()) {
            problems.add(at + ".placements", starts, "the slots an instance may start at, as nvidia-smi mig -lgipp lists them, e.g. [0, 2, 4, 6]");
        } else {
            for (int k = 0; k < starts.size(); k++) {
                int s = wholeNumber(starts.get(k), at + ".placements[" + k + "]", 0, 15, problems);
                if (s >= 0 && s + slots > 16) {
                    problems.add(at + ".placements[" + k + "]", starts.get(k), "a start whose " + slots + " slots end by slot 16");
                } else if (s >= 0 && placements.contains(s)) {
                    problems.add(at + ".placements[" + k + "]", starts.get(k), "each start once (" + s + " is placements["
                            + placements.indexOf(s) + "] too)");
                }
                placements.add(s);
            }
            // in any order as written; ascending as placement looks them up
            placements.sort(null);
        }
        long memory;
        if (p.hasNonNull("memory")) {
            String expected = "a size such as 9.75GiB, more than 0 and at most the GPU's memory";
            int beforeMemory = problems.size();
            memory = InventoryDocumentReader.bytes(p.get("memory"), at + ".memory", problems, expected);
            if (problems.size() == beforeMemory && (memory <= 0 || (gpuMemoryBytes > 0 && memory > gpuMemoryBytes))) {
                problems.add(at + ".memory", p.get("memory"), expected);
            }
        } else {
            memory = outOfBounds != null ? 0 : (long) bounded(name.group(2), 1, MAX_GB) << 30;
            if (outOfBounds == null && gpuMemoryBytes > 0 && memory > gpuMemoryBytes) {
                problems.add(at + ".profile", p.get("profile"), "a profile of at most the GPU's memory, or its memory given"
                        + " (memory: ..., as nvidia-smi mig -lgip reports it); " + name.group(2) + "gb is more than the GPU has");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        if (instances > placements.size()) {
            // each instance starts at a placement of its own: the instances past the starts listed can never be made, and
            // placement, which counts them, would offer partitions the GPU cannot hold
            problems.add(at + ".instances", p.get("instances"), "at most " + placements.size() + " instances of " + name.group()
                    + ", one per start in its placements " + placements + " (" + instances + " instances need as many starts; list every"
                    + " start nvidia-smi mig -lgipp reports)");
            return null;
        }
        int sideBySide = sideBySide(placements, slots);
        if (instances > sideBySide) {
            // starts closer than an instance's slots overlap: placement never puts two instances on one slot, so the count
            // past what fits side by side is shown (strata:gpu) but can never be made
            problems.add(at + ".instances", p.get("instances"), "at most " + sideBySide + " instances of " + name.group()
                    + ", as many as fit side by side at its placements " + placements + " of " + slots + " slots each (starts closer"
                    + " than " + slots + " slots overlap, and one slot holds one instance)");
            return null;
        }
        int g = bounded(name.group(1), 1, MAX_SLICES);
        if (tooManyInstances(instances, g, computeSlices, at + ".instances", p.get("instances"), problems)) {
            return null;
        }
        if (p.hasNonNull("memory") && gpuMemoryBytes > 0 && (long) instances * memory > gpuMemoryBytes) {
            // placement would give each of them its memory: together more than the GPU has
            problems.add(at + ".instances", p.get("instances"), "at most " + (gpuMemoryBytes / memory) + " instances of "
                    + Problems.shown(p.get("memory").asText()) + ", as many as fit the GPU's memory (" + instances + " x "
                    + Problems.shown(p.get("memory").asText()) + " is more than it has)");
            return null;
        }
        return PartitionProfile.builder().name(p.get("profile").asText()).profileId(id).maxInstances(instances).memoryBytes(memory)
                .computeSlices(g).totalSlices(computeSlices).placements(placements).placementSize(slots).build();
    }

    private static PartitionProfile shorthand(JsonNode p, String at, int computeSlices, long gpuMemoryBytes, Problems problems) {
        Matcher m = SHORTHAND.matcher(p.asText());
        if (!p.isTextual() || !m.matches()) {
            problems.add(at, p, "a MIG profile with its instance count, e.g. 1g.10gb:7, or the full form"
                    + " {profile: 1g.10gb, instances: 7, placements: [0, 1, 2, 3, 4, 5, 6], slots: 1}");
            return null;
        }
        String outOfBounds = nameOutOfBounds(m);
        if (outOfBounds == null && bounded(m.group(4), 1, MAX_INSTANCES) < 0) {
            outOfBounds = "an instance count from 1 to " + MAX_INSTANCES + " after the colon, not " + m.group(4);
        }
        if (outOfBounds != null) {
            problems.add(at, p, outOfBounds);
            return null;
        }
        int g = bounded(m.group(1), 1, MAX_SLICES);
        long memory = (long) bounded(m.group(2), 1, MAX_GB) << 30;
        String name = m.group(1) + "g." + m.group(2) + "gb" + (m.group(3) == null ? "" : m.group(3));
        int slots = gpuMemoryBytes <= 0 ? 0 : (int) Math.round(memory / (gpuMemoryBytes / 8.0));
        int[] starts = computeSlices == 7 ? starts(g, slots) : null;
        if (starts == null) {
            problems.add(at, p, "the full form {profile: " + name + ", instances: N, placements: [...], slots: S}, with the placements"
                    + " nvidia-smi mig -lgipp lists (the shorthand is known only for GPUs of 7 compute slices and 8 memory slots,"
                    + " such as A100, H100 and H200; this one spans " + slots + " of 8 memory slots with " + g + " of " + computeSlices
                    + " compute slices)");
            return null;
        }
        if (tooManyInstances(bounded(m.group(4), 1, MAX_INSTANCES), g, computeSlices, at, p, problems)) {
            return null;
        }
        if (m.group(3) != null && bounded(m.group(4), 1, MAX_INSTANCES) > 1) {
            // the GPUs the shorthand knows (A100, H100, H200) have one set of media engines, which a +me instance takes whole
            problems.add(at, p, "one instance of a +me profile (" + name + ":1): it takes the GPU's media engines, of which the GPUs the "
                    + "shorthand knows have one set (nvidia-smi mig -lgip lists 1/1 for it)");
            return null;
        }
        List<Integer> placements = new ArrayList<>();
        for (int s : starts) {
            placements.add(s);
        }
        return PartitionProfile.builder().name(name).maxInstances(bounded(m.group(4), 1, MAX_INSTANCES)).memoryBytes(memory)
                .computeSlices(g).totalSlices(computeSlices).placements(placements).placementSize(slots).build();
    }

    /** What to expect instead of a profile name whose slices or GB are out of bounds, or null when both are in. */
    private static String nameOutOfBounds(Matcher name) {
        if (bounded(name.group(1), 1, MAX_SLICES) < 0) {
            return "a MIG profile of 1 to " + MAX_SLICES + " compute slices (1g to " + MAX_SLICES + "g), not " + name.group(1);
        }
        if (bounded(name.group(2), 1, MAX_GB) < 0) {
            return "a MIG profile of 1 to " + MAX_GB + " GB (1gb to " + MAX_GB + "gb), not " + name.group(2);
        }
        return null;
    }

    /** Decimal digits as a number from {@code min} to {@code max}, or -1 when out of that range (however many digits). */
    static int bounded(String digits, int min, int max) {
        String d = digits.replaceFirst("^0+(?=\\d)", "");
        if (d.length() > 9) {
            return -1;
        }
        int v = Integer.parseInt(d);
        return v < min || v > max ? -1 : v;
    }

    /** NVIDIA's starts for a profile of {@code g} compute slices over {@code slots} memory slots on a 7-slice, 8-slot GPU. */
    static int[] starts(int g, int slots) {
        return switch (g + "/" + slots) {
            case "7/8" -> new int[] {0};
            case "4/4" -> new int[] {0};
            case "3/4" -> new int[] {0, 4};
            case "2/2" -> new int[] {0, 2, 4};
            case "1/2" -> new int[] {0, 2, 4, 6};
            case "1/1" -> new int[] {0, 1, 2, 3, 4, 5, 6};
            default -> null;
        };
    }

    private static int wholeNumber(JsonNode v, String path, int min, int max, Problems problems) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            problems.add(path, v, "a whole number from " + min + " to " + max);
            return -1;
        }
        return v.asInt();
    }
}
