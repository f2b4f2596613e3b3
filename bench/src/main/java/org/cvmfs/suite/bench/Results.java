package org.cvmfs.suite.bench;

import java.util.Locale;

/**
 * A benchmark's headline figures, one machine-readable line each, next to its human-readable
 * output: {@code RESULT figure|value|baseline|ratio}. {@code bench/run.sh all} runs every
 * benchmark and gathers these lines into one table; the baseline is a figure measured in the
 * same run (a bare loop, the one-worker case), so that the ratio survives a loaded machine.
 */
final class Results {
    private Results() {
    }

    /** A figure with an in-run baseline in the same unit; the ratio is value / baseline. */
    static void print(String figure, double value, double baseline, String unit) {
        System.out.printf(Locale.ROOT, "RESULT %s|%s %s|%s %s|%.2f%n", figure, number(value), unit, number(baseline), unit,
                value / baseline);
    }

    /** A figure without a baseline in this run. */
    static void print(String figure, double value, String unit) {
        System.out.printf(Locale.ROOT, "RESULT %s|%s %s|-|-%n", figure, number(value), unit);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }
}
