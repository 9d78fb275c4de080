package dev.npukit.cli;

import dev.npukit.tensor.DType;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Range checks of option values, run before a command does any work. Each failure is picocli's
 * {@link ParameterException}: exit code 2, a message that starts with the option's name, then
 * the usage.
 */
final class OptionChecks {
    private OptionChecks() {}

    static void positive(CommandSpec spec, String option, long value) {
        atLeast(spec, option, value, 1, "must be > 0");
    }

    static void positive(CommandSpec spec, String option, int[] values) {
        for (int v : values) {
            positive(spec, option, v);
        }
    }

    static void positive(CommandSpec spec, String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(), option + ": must be a finite number > 0, got " + value);
        }
    }

    static void notNegative(CommandSpec spec, String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(), option + ": must be a finite number >= 0, got " + value);
        }
    }

    static void notNegative(CommandSpec spec, String option, long value) {
        atLeast(spec, option, value, 0);
    }

    static void atLeast(CommandSpec spec, String option, long value, long min) {
        atLeast(spec, option, value, min, "must be >= " + min);
    }

    static void floatTypes(CommandSpec spec, String option, DType[] values) {
        for (DType t : values) {
            if (!t.isFloat()) {
                throw new ParameterException(spec.commandLine(), option + ": must be F32, F16 or BF16, got " + t);
            }
        }
    }

    private static void atLeast(CommandSpec spec, String option, long value, long min, String rule) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + ": " + rule + ", got " + value);
        }
    }
}
