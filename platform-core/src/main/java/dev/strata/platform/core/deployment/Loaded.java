package dev.strata.platform.core.deployment;

import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.core.store.DeploymentRecord;
import dev.strata.platform.core.store.MemberRecord;
import dev.strata.platform.core.store.OperationRecord;
import dev.strata.platform.core.store.OperationState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A deployment as the store holds it, read at one moment: the record, its spec, its members and its provider operations. */
final class Loaded {

    static final String CREATE = "create";
    static final String DELETE = "delete";

    final DeploymentRecord record;
    final Spec spec;
    final Map<String, MemberRecord> members = new LinkedHashMap<>();
    final List<OperationRecord> operations;

    Loaded(DeploymentRecord record, Spec spec, List<MemberRecord> members, List<OperationRecord> operations) {
        this.record = record;
        this.spec = spec;
        for (MemberRecord m : members) {
            this.members.put(m.member(), m);
        }
        this.operations = List.copyOf(operations);
    }

    String id() {
        return record.id();
    }

    DeploymentState state() {
        return DeploymentState.valueOf(record.state());
    }

    MemberState memberState(String member) {
        MemberRecord r = members.get(member);
        return r == null ? MemberState.REQUESTED : MemberState.valueOf(r.state());
    }

    Spec.Detail detail(String member) {
        MemberRecord r = members.get(member);
        return r == null ? Spec.Detail.NONE : Spec.Detail.parse(r.handle(), record.id(), member);
    }

    List<OperationRecord> operationsOf(String member) {
        List<OperationRecord> out = new ArrayList<>();
        for (OperationRecord op : operations) {
            if (op.member().equals(member)) {
                out.add(op);
            }
        }
        return out;
    }

    /** The latest operation of a member whose outcome is not recorded. */
    Optional<OperationRecord> pending(String member) {
        OperationRecord found = null;
        for (OperationRecord op : operationsOf(member)) {
            if (op.state() == OperationState.PENDING) {
                found = op;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether a member has an operation of this action whose outcome is not recorded (not only the latest of its operations). */
    boolean hasPending(String member, String action) {
        return operationsOf(member).stream().anyMatch(op -> op.action().equals(action) && op.state() == OperationState.PENDING);
    }

    Optional<OperationRecord> latest(String member, String action) {
        OperationRecord found = null;
        for (OperationRecord op : operationsOf(member)) {
            if (op.action().equals(action)) {
                found = op;
            }
        }
        return Optional.ofNullable(found);
    }

    int count(String member, String action) {
        return (int) operationsOf(member).stream().filter(op -> op.action().equals(action)).count();
    }

    /** Failed tries of an action since its last success. */
    int failuresSinceSuccess(String member, String action) {
        int failures = 0;
        for (OperationRecord op : operationsOf(member)) {
            if (op.action().equals(action)) {
                failures = op.state() == OperationState.FAILED ? failures + 1 : 0;
            }
        }
        return failures;
    }

    Optional<OperationRecord> operation(String id) {
        return operations.stream().filter(op -> op.id().equals(id)).findFirst();
    }
}
