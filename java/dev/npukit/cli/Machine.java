package dev.npukit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine, for benchmark reports. */
final class Machine {
    private Machine() {
    }

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
}
