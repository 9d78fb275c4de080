package dev.npukit.cli;

import dev.npukit.backend.Backend;
import dev.npukit.backend.BackendInfo;
import dev.npukit.backend.Backends;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Backends as the command line names and describes them. */
final class BackendText {
    private BackendText() {
    }

    /**
     * The opening fields of a bench report's JSON: {@code backend}, {@code backendMode}, on the emulator a
     * {@code note} that its timings are emulation time ({@link BenchAttentionCommand#EMULATED}), and {@code machine}.
     *
     * @return whether the backend is the emulator, whose figures the report's text labels too
     */
    static boolean putReportHead(Map<String, Object> report, Backend b) {
        report.put("backend", b.name());
        report.put("backendMode", b.info().mode());
        boolean emulated = b.info().mode().equals("emu");
        if (emulated) {
            report.put("note", BenchAttentionCommand.EMULATED);
        }
        report.put("machine", Machine.describe());
        return emulated;
    }

    /** "cpu (native: AVX2, 2 threads)": name, mode and description, for a report's text. */
    static String of(Backend b) {
        BackendInfo i = b.info();
        return i.name() + " (" + i.mode() + ": " + i.reason() + ")";
    }

    /**
     * The backend a {@code --backend} option names, the best available one when it is null. An
     * unknown name is a usage error (exit code 2); a known backend that cannot run here fails
     * while running (exit code 1) with the reason.
     */
    static Backend select(CommandSpec spec, String option, String name) {
        if (name == null) {
            return Backends.best();
        }
        if (!Backends.NAMES.contains(name)) {
            throw new ParameterException(spec.commandLine(), option + ": unknown backend '" + name
                    + "', expected one of " + String.join(", ", Backends.NAMES));
        }
        return Backends.get(name);
    }
}
