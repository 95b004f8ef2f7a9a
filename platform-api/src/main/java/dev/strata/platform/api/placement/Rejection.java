package dev.strata.platform.api.placement;

/**
 * Why nodes were not chosen, counted: {@code 212 nodes: country not in [DE, FR]}.
 *
 * @param member the member the nodes were rejected for ({@code *} for the whole gang)
 * @param reason the first hard constraint each node failed
 * @param nodes how many nodes failed it; 0 for a row about the gang as a whole (member {@code *}), which counts no nodes
 */
public record Rejection(String member, String reason, int nodes) {
    @Override
    public String toString() {
        return nodes == 0 ? reason : nodes + (nodes == 1 ? " node: " : " nodes: ") + reason;
    }
}
