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

    static double requireNonNegative(double value, String field) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(field + " is " + value + "; expected 0 or more");
        }
        return value;
    }
}
