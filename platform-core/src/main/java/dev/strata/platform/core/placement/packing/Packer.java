package dev.strata.platform.core.placement.packing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Places demands one at a time on a set of nodes with a {@link PackingPolicy}: the node and GPUs
 * with the lowest score win; equal scores are resolved by {@link PackingPolicy#breakTie}.
 *
 * <h2>Bounded work per decision</h2>
 * Nodes in the same state (GPU model, free CPU, free memory and the multiset of (interconnect
 * domain, free milli-GPU) of their GPUs) form one <em>class</em>; the policy scores a class once,
 * on a snapshot, and the answer serves every member (GPU indexes are carried over through each
 * node's canonical GPU order). For a {@link PackingPolicy#cacheable() cacheable} policy the answer
 * is also remembered per (class, demand) for as long as the class exists, so a decision costs one
 * pass over the live classes with a few comparisons each, plus policy calls only for classes that
 * have not seen this demand yet. A thousand identical idle nodes are one class: one evaluation.
 * A policy that {@link PackingPolicy#weighsGaps() weighs the cluster's gaps} is cached the same way:
 * its few candidate GPU choices per (class, demand), each with the node's part of the score; at each
 * decision it adds the cluster's part over those candidates, from the {@link GapHistogram} the packer
 * keeps through every change.
 * The number of classes never exceeds the number of nodes; the policy's own work per class is
 * bounded by {@link GpuChoices}.
 *
 * <p>The packer owns copies of the nodes it was given: change them only through {@link #place},
 * {@link #allocate} and {@link #release}. <b>Not thread-safe</b>: one placement thread owns it.
 */
public final class Packer {

    /** Demands remembered for caching; past this many distinct demands the caches start over. */
    private static final int MAX_DEMANDS = 4096;
    private static final Fit NO_FIT = new Fit("-", new int[0], 0);

    private PackingPolicy policy;
    private boolean cacheable;
    private boolean weighsGaps;
    /** Free milli-GPU of every GPU, kept through every change of a node (in {@link #leave} and {@link #join}). */
    private final GapHistogram gaps = new GapHistogram();
    private static final Fit[] NO_CHOICES = new Fit[0];
    private final NodeCapacity[] nodes;
    private final Map<String, Integer> byId = new HashMap<>();
    /** Per (GPU model, MIG table), an id; nodes of one id are alike in all but their state. */
    private final Map<List<Object>, Integer> modelIds = new HashMap<>();
    private final List<String> modelNames = new ArrayList<>();
    private final int[] nodeModel;
    private final StateClass[] classOf;
    private final Map<StateKey, StateClass> classes = new HashMap<>();
    private StateClass[] live = new StateClass[16];
    private int liveCount;
    private final Map<Demand, DemandInfo> demands = new HashMap<>();

    private long decisions;
    private long evaluations;
    private long cacheHits;

    // scratch for one decision
    private int[] tiedPos = new int[16];
    private Fit[] tiedFit = new Fit[16];
    private StateClass chosenClass;
    private int chosenMember;
    private Fit chosenFit;
    private double chosenScore;
    /** The score of the fit {@link #classFit} returned last: its own, or the one {@link PackingPolicy#choose} gave it. */
    private double classScore;
    private final double[] chooseScore = new double[1];

    /**
     * @param nodes the nodes, copied; ids must be unique
     * @throws IllegalArgumentException on a duplicate node id
     */
    public Packer(Collection<NodeCapacity> nodes, PackingPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.cacheable = policy.cacheable();
        this.weighsGaps = policy.weighsGaps();
        this.nodes = new NodeCapacity[nodes.size()];
        this.nodeModel = new int[nodes.size()];
        this.classOf = new StateClass[nodes.size()];
        int i = 0;
        for (NodeCapacity n : nodes) {
            if (byId.putIfAbsent(n.id(), i) != null) {
                throw new IllegalArgumentException("node id " + n.id() + " given twice");
            }
            this.nodes[i] = n.copy();
            nodeModel[i] = modelIds.computeIfAbsent(java.util.Arrays.asList(n.model(), n.mig()), m -> {
                modelNames.add(n.model());
                return modelNames.size() - 1;
            });
            i++;
        }
        for (int k = 0; k < this.nodes.length; k++) {
            join(k);
        }
    }

    public PackingPolicy policy() {
        return policy;
    }

    /**
     * Scores with another policy from now on: every remembered fit is forgotten. The nodes and
     * their classes stay as they are. Given the policy already in force, changes nothing.
     */
    public void replacePolicy(PackingPolicy newPolicy) {
        if (newPolicy == policy) {
            return; // the policy in force: what it scored still holds
        }
        this.policy = Objects.requireNonNull(newPolicy, "policy");
        this.cacheable = newPolicy.cacheable();
        this.weighsGaps = newPolicy.weighsGaps();
        demands.clear();
        for (int i = 0; i < liveCount; i++) {
            live[i].forget();
        }
    }

    /**
     * Places the demand on the best node and commits it there.
     *
     * @return the fit taken (node, GPUs, score), or empty when the demand fits on no node
     */
    public Optional<Fit> place(Demand demand) {
        if (!decide(demand)) {
            return Optional.empty();
        }
        int node = chosenClass.members[chosenMember];
        Fit fit = onMember(chosenClass, chosenFit, chosenScore, node, demand);
        commit(node, demand, fit.gpusUnsafe(), fit.slot());
        return Optional.of(fit);
    }

    /**
     * The decision {@link #place} would take now, without committing it. A randomised policy draws
     * for the tie here too, so a following {@code place} may pick another of the tied nodes.
     */
    public Optional<Fit> dryRun(Demand demand) {
        if (!decide(demand)) {
            return Optional.empty();
        }
        int node = chosenClass.members[chosenMember];
        return Optional.of(onMember(chosenClass, chosenFit, chosenScore, node, demand));
    }

    /**
     * The policy's fit of the demand on node {@code index} alone (as scored for its class), or
     * empty when it does not fit there. Nothing is committed.
     */
    public Optional<Fit> fitOn(int index, Demand demand) {
        StateClass c = classOf[index];
        Fit f = classFit(c, demand, intern(demand));
        return f == null ? Optional.empty() : Optional.of(onMember(c, f, classScore, index, demand));
    }

    /** The class's fit carried over to its member {@code node}: the same GPU positions, and the MIG slot on that GPU. */
    private Fit onMember(StateClass c, Fit f, double score, int node, Demand demand) {
        int[] gpus = toMember(c, f.gpusUnsafe(), node);
        int slot = demand.partitioned() ? nodes[node].bestSlot(gpus[0], demand) : -1;
        return f.on(nodes[node].id(), gpus, slot, score);
    }

    /**
     * The decision {@link #dryRun(Demand)} would take if only the nodes {@code eligible} accepts
     * (by their index in the order the nodes were given) could be used; nothing is committed.
     * Classes are scored as usual (and cached); they are then walked best score first and the first
     * eligible member wins, so the predicate is asked only as often as needed. Ties go to the class
     * with the lowest node index, and within a class the members are tried in index order (they are
     * kept sorted): the same state gives the same answer, whatever order the nodes reached it in.
     */
    public Optional<Fit> dryRun(Demand demand, java.util.function.IntPredicate eligible) {
        Objects.requireNonNull(eligible, "eligible");
        decisions++;
        DemandInfo info = intern(demand);
        int n = liveCount;
        if (scoredClass.length < n) {
            scoredClass = new int[Math.max(n, scoredClass.length * 2)];
            scoredFit = new Fit[scoredClass.length];
            scoredScore = new double[scoredClass.length];
        }
        int scored = 0;
        for (int i = 0; i < n; i++) {
            Fit f = classFit(live[i], demand, info);
            if (f != null) {
                scoredClass[scored] = i;
                scoredFit[scored] = f;
                scoredScore[scored] = classScore;
                scored++;
            }
        }
        // best class first: pick the minimum among the classes not yet walked. The best class
        // usually has an eligible member, so this costs one pass; it never sorts every class.
        try {
            for (int remaining = scored; remaining > 0; remaining--) {
                int best = -1;
                for (int k = 0; k < scored; k++) {
                    if (scoredFit[k] != null && (best < 0 || scoredScore[k] < scoredScore[best]
                            || scoredScore[k] == scoredScore[best] && live[scoredClass[k]].minMember < live[scoredClass[best]].minMember)) {
                        best = k;
                    }
                }
                Fit f = scoredFit[best];
                scoredFit[best] = null;
                StateClass c = live[scoredClass[best]];
                // members of a class are alike and kept in index order: the lowest eligible index wins
                for (int m = 0; m < c.size; m++) {
                    int node = c.members[m];
                    if (eligible.test(node)) {
                        return Optional.of(onMember(c, f, scoredScore[best], node, demand));
                    }
                }
            }
            return Optional.empty();
        } finally {
            Arrays.fill(scoredFit, 0, scored, null);
        }
    }

    private int[] scoredClass = new int[16];
    private Fit[] scoredFit = new Fit[16];
    private double[] scoredScore = new double[16];

    /**
     * The policy's fit for a class (cached for cacheable policies), or null when the demand does not
     * fit it; its score is left in {@link #classScore}.
     */
    private Fit classFit(StateClass c, Demand demand, DemandInfo info) {
        if (c.cpuFree < demand.cpuMilli() || c.memFree < demand.memoryMiB()) {
            return null;
        }
        int count = demand.gpuCount();
        if (count > 0) {
            int[] fd = c.freeDesc;
            // a MIG instance counts its share of this class's GPUs, as NodeCapacity books it: its
            // demand's sevenths are more than a 1g takes of a GPU whose table has more slices
            int milli = demand.partitioned() ? c.state.gpuMilli(demand) : demand.gpuMilli();
            if (!info.allowedModels[c.modelId] || fd.length < count || fd[count - 1] < milli) {
                return null;
            }
        }
        if (weighsGaps) {
            return choose(c, demand, info);
        }
        if (!cacheable) {
            evaluations++;
            Fit f = policy.fit(c.state, demand);
            classScore = f == null ? 0 : f.score();
            return f;
        }
        Fit[] cache = c.cache;
        int did = info.id;
        Fit f = did < cache.length ? cache[did] : null;
        if (f == null) {
            evaluations++;
            f = policy.fit(c.state, demand);
            if (f == null) {
                f = NO_FIT;
            }
            if (did >= cache.length) {
                cache = c.cache = Arrays.copyOf(cache, Math.max(did + 1, cache.length * 2));
            }
            cache[did] = f;
        } else {
            cacheHits++;
        }
        if (f == NO_FIT) {
            return null;
        }
        classScore = f.score();
        return f;
    }

    /** {@link #classFit} for a policy that weighs the cluster's gaps: its candidates cached, the choice among them made now. */
    private Fit choose(StateClass c, Demand demand, DemandInfo info) {
        Fit[] candidates;
        if (cacheable) {
            Fit[][] cache = c.choices;
            int did = info.id;
            candidates = did < cache.length ? cache[did] : null;
            if (candidates == null) {
                evaluations++;
                candidates = policy.candidates(c.state, demand);
                if (candidates == null || candidates.length == 0) {
                    candidates = NO_CHOICES;
                }
                if (did >= cache.length) {
                    cache = c.choices = Arrays.copyOf(cache, Math.max(did + 1, cache.length * 2));
                }
                cache[did] = candidates;
            } else {
                cacheHits++;
            }
        } else {
            evaluations++;
            candidates = policy.candidates(c.state, demand);
        }
        if (candidates == null || candidates.length == 0) {
            return null;
        }
        int i = policy.choose(c.state, demand, candidates, gaps, chooseScore);
        if (i < 0 || i >= candidates.length || Double.isNaN(chooseScore[0])) {
            throw new IllegalStateException("policy " + policy.name() + " chose candidate " + i + " of " + candidates.length + " with score "
                    + chooseScore[0] + "; expected an index below the count and a number");
        }
        classScore = chooseScore[0];
        return candidates[i];
    }

    /** The cluster's free milli-GPU per GPU as the packer keeps it (read only; for tests and policies). */
    public GapHistogram gaps() {
        return gaps;
    }

    /**
     * Commits a placement decided elsewhere (e.g. one restored from the ledger).
     *
     * @throws IllegalArgumentException for an unknown node or GPU indexes that do not match
     * @throws IllegalStateException when the node lacks the capacity; nothing changes then
     */
    public void allocate(String nodeId, Demand demand, int[] gpus) {
        commit(index(nodeId), demand, gpus, -1);
    }

    /** Commits a placement decided elsewhere; a MIG instance at {@code slot} of its GPU (-1 for other demands). */
    public void allocate(String nodeId, Demand demand, int[] gpus, int slot) {
        commit(index(nodeId), demand, gpus, slot);
    }

    /** Commits a reservation made earlier, whatever the health of its GPUs now ({@link NodeCapacity#restore}). */
    public void restore(String nodeId, Demand demand, int[] gpus, int slot) {
        int node = index(nodeId);
        nodes[node].restore(demand, gpus, slot);
        leave(node);
        join(node);
        policy.allocated(nodes[node], demand, gpus);
    }

    /**
     * Gives back a placement: the node's capacity returns exactly to what it was without it.
     *
     * @throws IllegalArgumentException for an unknown node or GPU indexes that do not match
     * @throws IllegalStateException on an over-release; nothing changes then
     */
    public void release(String nodeId, Demand demand, int[] gpus) {
        release(nodeId, demand, gpus, -1);
    }

    /** Gives back a placement; a MIG instance at {@code slot} of its GPU (-1 for other demands). */
    public void release(String nodeId, Demand demand, int[] gpus, int slot) {
        int node = index(nodeId);
        nodes[node].release(demand, gpus, slot);
        leave(node);
        join(node);
        policy.released(nodes[node], demand, gpus);
    }

    /** Releases what {@link #place} returned. */
    public void release(Fit fit, Demand demand) {
        release(fit.nodeId(), demand, fit.gpusUnsafe(), fit.slot());
    }

    /**
     * The node at {@code index} (in the order the nodes were given) as the packer holds it, not a
     * copy: for callers that only read it, on the packer's thread. Never change it.
     */
    public NodeCapacity view(int index) {
        return nodes[index];
    }

    /**
     * The state class of a node, as a number shared by exactly the nodes now in the same state: the
     * same model (with its MIG table), free CPU and memory, and GPUs alike up to their order.
     * Whatever is a function of that state alone (whether a demand fits, and why not) is the same
     * for every node with the number. Numbers are dense, below {@link #stateClasses()}, and valid
     * until the next commit or release (which may renumber the classes).
     */
    public int stateClass(int index) {
        return classOf[index].livePos;
    }

    /** How many state classes there are now: every {@link #stateClass} is below it. */
    public int stateClasses() {
        return liveCount;
    }

    /** A copy of the node's current capacity. */
    public Optional<NodeCapacity> node(String nodeId) {
        Integer i = byId.get(nodeId);
        return i == null ? Optional.empty() : Optional.of(nodes[i].copy());
    }

    /** Copies of all nodes, in the order given. */
    public List<NodeCapacity> nodes() {
        List<NodeCapacity> out = new ArrayList<>(nodes.length);
        for (NodeCapacity n : nodes) {
            out.add(n.copy());
        }
        return out;
    }

    public int nodeCount() {
        return nodes.length;
    }

    /** Number of classes of identical nodes now: the work of one decision is proportional to it. */
    public int classCount() {
        return liveCount;
    }

    /** Milli-GPU free over all nodes. */
    public long gpuMilliFree() {
        long sum = 0;
        for (NodeCapacity n : nodes) {
            sum += n.gpuFreeMilliTotal();
        }
        return sum;
    }

    /** Decisions taken so far (place and dry runs). */
    public long decisions() {
        return decisions;
    }

    /** Calls of {@link PackingPolicy#fit} so far. */
    public long evaluations() {
        return evaluations;
    }

    /** Class scores served from the cache so far. */
    public long cacheHits() {
        return cacheHits;
    }

    private int index(String nodeId) {
        Integer i = byId.get(nodeId);
        if (i == null) {
            throw new IllegalArgumentException("unknown node " + nodeId);
        }
        return i;
    }

    /** The index of a node by id, -1 when unknown. */
    public int indexOf(String nodeId) {
        Integer i = byId.get(nodeId);
        return i == null ? -1 : i;
    }

    private void commit(int node, Demand demand, int[] gpus, int slot) {
        nodes[node].allocate(demand, gpus, slot);
        leave(node);
        join(node);
        policy.allocated(nodes[node], demand, gpus);
    }

    private boolean decide(Demand demand) {
        Objects.requireNonNull(demand, "demand");
        decisions++;
        DemandInfo info = intern(demand);
        double best = Double.POSITIVE_INFINITY;
        int tied = 0;
        long tiedNodes = 0;
        StateClass[] cls = live;
        for (int i = 0, n = liveCount; i < n; i++) {
            StateClass c = cls[i];
            Fit f = classFit(c, demand, info);
            if (f == null) {
                continue;
            }
            double s = classScore;
            if (s < best) {
                best = s;
                tied = 0;
                tiedNodes = 0;
            } else if (s > best) {
                continue;
            }
            if (tied == tiedPos.length) {
                tiedPos = Arrays.copyOf(tiedPos, tied * 2);
                tiedFit = Arrays.copyOf(tiedFit, tied * 2);
            }
            tiedPos[tied] = i;
            tiedFit[tied] = f;
            tied++;
            tiedNodes += c.size;
        }
        if (tied == 0) {
            return false;
        }
        chosenScore = best;
        if (policy.tiesToFirstNode()) {
            int first = 0;
            for (int t = 1; t < tied; t++) {
                if (live[tiedPos[t]].minMember < live[tiedPos[first]].minMember) {
                    first = t;
                }
            }
            chosenClass = live[tiedPos[first]];
            chosenMember = 0;
            chosenFit = tiedFit[first];
            Arrays.fill(tiedFit, 0, tied, null);
            return true;
        }
        long pick = tiedNodes > 1 ? policy.breakTie((int) Math.min(tiedNodes, Integer.MAX_VALUE)) : 0;
        if (pick < 0 || pick >= tiedNodes) {
            throw new IllegalStateException("policy " + policy.name() + " broke a tie of " + tiedNodes + " with " + pick);
        }
        for (int t = 0; t < tied; t++) {
            StateClass c = live[tiedPos[t]];
            if (pick < c.size) {
                chosenClass = c;
                chosenMember = (int) pick;
                chosenFit = tiedFit[t];
                break;
            }
            pick -= c.size;
        }
        Arrays.fill(tiedFit, 0, tied, null);
        return true;
    }

    private DemandInfo intern(Demand demand) {
        DemandInfo info = demands.get(demand);
        if (info != null) {
            return info;
        }
        if (demands.size() >= MAX_DEMANDS) {
            demands.clear();
            for (int i = 0; i < liveCount; i++) {
                live[i].forget();
            }
        }
        boolean[] allowed = new boolean[modelNames.size()];
        for (int m = 0; m < allowed.length; m++) {
            allowed[m] = modelNames.get(m) != null && demand.allows(modelNames.get(m));
        }
        info = new DemandInfo(demands.size(), allowed);
        demands.put(demand, info);
        return info;
    }

    /** GPU indexes chosen on the class snapshot, as the same positions on member {@code node}. */
    private int[] toMember(StateClass c, int[] gpus, int node) {
        if (gpus.length == 0) {
            return gpus;
        }
        int[] memberOrder = canonicalOrder(nodes[node]);
        int[] out = new int[gpus.length];
        for (int i = 0; i < gpus.length; i++) {
            out[i] = memberOrder[c.rank[gpus[i]]];
        }
        Arrays.sort(out);
        return out;
    }

    private void leave(int node) {
        StateClass c = classOf[node];
        gaps.add(c.state, -1); // the class's snapshot is the node's state before the change
        int pos = Arrays.binarySearch(c.members, 0, c.size, node);
        System.arraycopy(c.members, pos + 1, c.members, pos, c.size - pos - 1);
        c.size--;
        classOf[node] = null;
        if (c.size == 0) {
            classes.remove(c.key);
            StateClass moved = live[--liveCount];
            live[c.livePos] = moved;
            moved.livePos = c.livePos;
            live[liveCount] = null;
        } else {
            c.minMember = c.members[0];
        }
    }

    private void join(int node) {
        NodeCapacity n = nodes[node];
        gaps.add(n, 1);
        int[] order = canonicalOrder(n);
        StateKey key = StateKey.of(nodeModel[node], n, order);
        StateClass c = classes.get(key);
        if (c == null) {
            c = new StateClass(key, n.copy(), nodeModel[node], order);
            classes.put(key, c);
            if (liveCount == live.length) {
                live = Arrays.copyOf(live, liveCount * 2);
            }
            c.livePos = liveCount;
            live[liveCount++] = c;
        }
        if (c.size == c.members.length) {
            c.members = Arrays.copyOf(c.members, c.size * 2);
        }
        // members stay sorted by index, so that the order a node joined in never matters
        int pos = -Arrays.binarySearch(c.members, 0, c.size, node) - 1;
        System.arraycopy(c.members, pos, c.members, pos + 1, c.size - pos);
        c.members[pos] = node;
        c.size++;
        c.minMember = c.members[0];
        classOf[node] = c;
    }

    private static int[] canonicalOrder(NodeCapacity n) {
        return n.canonicalOrder();
    }

    private record DemandInfo(int id, boolean[] allowedModels) {
    }

    /** The identity of a class: model (with MIG table), free CPU, free memory, (domain, health, free) codes and MIG layouts in canonical order. */
    private static final class StateKey {
        private final long[] v;
        private final int hash;

        private StateKey(long[] v) {
            this.v = v;
            this.hash = Arrays.hashCode(v);
        }

        static long code(int domain, int health, int free) {
            return NodeCapacity.code(domain, health, free);
        }

        static StateKey of(int modelId, NodeCapacity n, int[] order) {
            int[] free = n.gpuFreeArray();
            int[] domain = n.gpuDomainArray();
            boolean mig = n.gpuLayoutArray().length > 0;
            long[] v = new long[3 + free.length * (mig ? 2 : 1)];
            v[0] = modelId;
            v[1] = n.cpuFreeMilli();
            v[2] = n.memoryFreeMiB();
            for (int i = 0; i < order.length; i++) {
                v[3 + i] = code(domain[order[i]], n.gpuHealth(order[i]), free[order[i]]);
                if (mig) {
                    v[3 + order.length + i] = n.gpuLayout(order[i]);
                }
            }
            return new StateKey(v);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && k.hash == hash && Arrays.equals(k.v, v);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Nodes in one state: a snapshot of it, the members, the remembered fits per demand. */
    private static final class StateClass {
        final StateKey key;
        final NodeCapacity state;
        final int modelId;
        final long cpuFree;
        final long memFree;
        final int[] freeDesc;
        /** rank[g] = position of snapshot GPU g in the canonical order. */
        final int[] rank;
        int[] members = new int[4];
        int size;
        /** The lowest node index among the members: a tie-break that does not depend on the order members joined in. */
        int minMember = Integer.MAX_VALUE;
        int livePos;
        Fit[] cache = new Fit[0];
        /** Per demand, the candidates of a policy that weighs the cluster's gaps. */
        Fit[][] choices = new Fit[0][];

        void forget() {
            cache = new Fit[0];
            choices = new Fit[0][];
        }

        StateClass(StateKey key, NodeCapacity state, int modelId, int[] order) {
            this.key = key;
            this.state = state;
            this.modelId = modelId;
            this.cpuFree = state.cpuFreeMilli();
            this.memFree = state.memoryFreeMiB();
            this.freeDesc = state.gpuFreeArray().clone();
            GpuFragmentation.sortDesc(freeDesc);
            this.rank = new int[order.length];
            for (int r = 0; r < order.length; r++) {
                rank[order[r]] = r;
            }
        }
    }
}
