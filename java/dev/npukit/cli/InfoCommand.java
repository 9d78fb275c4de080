package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.BackendInfo;
import dev.npukit.backend.Backends;
import dev.npukit.backend.CpuBackend;
import dev.npukit.tensor.MemoryStats;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code npukit info}: which backends run here and why not, native library and CPU facts, and the
 * tensor memory each available backend holds in this process ({@code memory} in the JSON).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Backends with availability and reason, native library version, detected CPU features, "
                + "tensor memory each backend holds.")
final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        List<BackendInfo> backends = Backends.all();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("backends", backends);
        report.put("best", Backends.best().name());
        if (Backends.info(CpuBackend.NAME).available()) {
            CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
            report.put("nativeVersion", cpu.version());
            report.put("cpuFeatures", cpu.cpuFeatures());
            report.put("threads", cpu.threads());
        }
        report.put("java", System.getProperty("java.version"));
        report.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        report.put("processors", Runtime.getRuntime().availableProcessors());
        Map<String, MemoryStats> memory = new LinkedHashMap<>();
        for (BackendInfo b : backends) {
            if (b.available()) {
                memory.put(b.name(), Backends.get(b.name()).memoryStats());
            }
        }
        report.put("memory", memory);

        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            return 0;
        }
        TextTable table = new TextTable("backend", "available", "mode", "details");
        for (BackendInfo b : backends) {
            table.row(b.name(), b.available() ? "yes" : "no", b.mode(), b.reason());
        }
        out.print(table.render());
        out.println();
        for (Map.Entry<String, Object> e : report.entrySet()) {
            if (!e.getKey().equals("backends") && !e.getKey().equals("memory")) {
                out.printf("%-14s %s%n", e.getKey(), e.getValue());
            }
        }
        out.println();
        TextTable held = new TextTable("backend", "tensors held", "bytes held", "peak bytes");
        for (Map.Entry<String, MemoryStats> e : memory.entrySet()) {
            MemoryStats m = e.getValue();
            held.row(e.getKey(), Long.toString(m.tensors()), Long.toString(m.bytes()), Long.toString(m.peakBytes()));
        }
        held.print(out);
        out.flush();
        return 0;
    }
}
