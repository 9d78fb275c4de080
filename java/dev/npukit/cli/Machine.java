package dev.npukit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine, for benchmark reports and the demo report. */
final class Machine {
    private Machine() {
    }

    /** The CPU model, the cores Java may use and the memory, e.g. {@code Intel(R) Xeon(R) ..., 2 cores, 8 GB}. */
    static String describe() {
        String cpu = System.getProperty("os.arch");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the architecture name is all we report.
        }
        long memGb = Math.round(((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize() / 1e9);
        return String.format("%s, %d cores, %d GB", cpu, Runtime.getRuntime().availableProcessors(), memGb);
    }

    /**
     * The operating system (its distribution's name where /etc/os-release gives one), kernel, architecture and
     * Java runtime, e.g. {@code Debian GNU/Linux 12 (bookworm), Linux 6.1.0-18-amd64 amd64, Java 17.0.15+6}.
     */
    static String platform() {
        String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", Java " + Runtime.version();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "").trim() + ", " + kernel;
                }
            }
        } catch (IOException | RuntimeException e) {
            // No os-release (not Linux, or a minimal image): the kernel's name is the operating system's.
        }
        return kernel;
    }
}
