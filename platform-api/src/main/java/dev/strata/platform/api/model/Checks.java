package dev.strata.platform.api.model;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Validation helpers for the compact constructors of the model records. */
final class Checks {

    private Checks() {
    }

    static String requireText(String value, String field) {
        Objects.requireNonNull(value, field + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    /**
     * An unmodifiable copy of {@code list}, refusing a null list or element with a message naming
     * the field and the element's index; {@code List.copyOf} alone throws a
     * {@link NullPointerException} without a message, which names neither.
     */
    static <T> List<T> copyList(List<T> list, String field) {
        Objects.requireNonNull(list, field);
        int i = 0;
        for (T element : list) {
            if (element == null) {
                throw new NullPointerException(field + "[" + i + "] is null; expected a value, or the element left out");
            }
            i++;
        }
        return List.copyOf(list);
    }

    /** An unmodifiable copy of {@code set}, refusing a null set or element with a message naming the field. */
    static <T> Set<T> copySet(Set<T> set, String field) {
        Objects.requireNonNull(set, field);
        for (T element : set) {
            if (element == null) {
                throw new NullPointerException(field + " holds null; expected values only");
            }
        }
        return Set.copyOf(set);
    }

    /**
     * An unmodifiable copy of {@code map}, refusing a null map, key or value with a message naming the
     * field and the key: a provider that puts an attribute it could not read ({@code serial} null)
     * learns which.
     */
    static <K, V> Map<K, V> copyMap(Map<K, V> map, String field) {
        Objects.requireNonNull(map, field);
        for (Map.Entry<K, V> e : map.entrySet()) {
            if (e.getKey() == null) {
                throw new NullPointerException(field + " has a null key; expected keys and values only");
            }
            if (e.getValue() == null) {
                // the key as the exception package shows a configured value: one read from outside (a declared inventory's
                // attribute) may hold a line break
                throw new NullPointerException(field + ": '" + printable(String.valueOf(e.getKey()))
                        + "' is null; expected a value, or the entry left out");
            }
        }
        return Map.copyOf(map);
    }

    /**
     * {@code text} as a message shows text from outside (a provider's id, a vendor library's
     * address): a control or format character, line or paragraph separator or lone surrogate
     * written as a backslash, u and four hex digits, as {@link InvalidConfigurationException}
     * shows a configured value, so that none forges a log line or drives a terminal.
     */
    static String printable(String text) {
        return InvalidConfigurationException.printable(text);
    }

    static long requireNonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " is " + value + "; expected 0 or more");
        }
        return value;
    }

    /**
     * A NUMA node number: 0 or more, or -1 for unknown, as sysfs writes it. A lower value is refused
     * rather than read as unknown by one consumer and as a node by another (one that compares it with
     * a node's NUMA nodes, or prints it).
     */
    static int requireNumaNode(int value, String field) {
        if (value < -1) {
            throw new IllegalArgumentException(field + " is " + value + "; expected -1 (unknown) or more");
        }
        return value;
    }

    /**
     * A finite double of 0 or more. NaN and infinity are refused as a negative value is: consumers
     * sum, subtract and compare these (power over a node's GPUs, a fabric's bandwidth against a
     * contract's minimum), and an infinite one would pass every minimum and turn every sum it is in
     * infinite, or NaN where one is subtracted from another.
     */
    static double requireNonNegative(double value, String field) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(field + " is " + value + "; expected a finite number, 0 or more");
        }
        return value;
    }
}
