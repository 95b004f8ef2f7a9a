package dev.strata.platform.api.model;

import java.util.Objects;

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

    static long requireNonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " is " + value + "; expected 0 or more");
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
