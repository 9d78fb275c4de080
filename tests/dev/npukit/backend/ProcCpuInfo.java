package dev.npukit.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What /proc/cpuinfo says of the first processor, read the way a person would check the cpu
 * backend's choice of code path: its flags, vendor and family. Elsewhere than on x86-64 it reports
 * nothing (under qemu-user /proc/cpuinfo describes the host, not the emulated processor).
 */
public final class ProcCpuInfo {
    private final Set<String> flags;
    private final String vendor;
    private final int family;

    private ProcCpuInfo(Set<String> flags, String vendor, int family) {
        this.flags = flags;
        this.vendor = vendor;
        this.family = family;
    }

    /**
     * Reads /proc/cpuinfo on x86-64.
     *
     * @return its first processor's facts, or none elsewhere
     */
    public static ProcCpuInfo read() {
        if (!System.getProperty("os.arch").matches("amd64|x86_64")) {
            return new ProcCpuInfo(Set.of(), "", -1);
        }
        String all;
        try {
            all = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/cpuinfo", e);
        }
        return new ProcCpuInfo(Set.of(field(all, "flags").split("\\s+")), field(all, "vendor_id"),
                Integer.parseInt(field(all, "cpu family").isEmpty() ? "-1" : field(all, "cpu family")));
    }

    private static String field(String all, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\s*:\\s*(.*)$").matcher(all);
        return m.find() ? m.group(1).trim() : "";
    }

    /**
     * Whether the processor has a flag.
     *
     * @param flag a flag as /proc/cpuinfo spells it, e.g. "avx2"
     * @return whether it is listed
     */
    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** @return AVX2, FMA and F16C: the cpu backend's AVX2 path */
    public boolean avx2() {
        return has("avx2") && has("fma") && has("f16c");
    }

    /** @return that plus AVX-512F and VL: its AVX-512 path */
    public boolean avx512() {
        return avx2() && has("avx512f") && has("avx512vl");
    }

    /** @return AVX-512 on full-width 512-bit units: AMD family 26 (1Ah, Zen 5) and later */
    public boolean fullWidth512() {
        return avx512() && vendor.equals("AuthenticAMD") && family >= 26;
    }
}
