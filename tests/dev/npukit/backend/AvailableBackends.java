package dev.npukit.backend;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The backends the equality suites run: every available backend except the reference itself.
 * The cpu backend is built by 'mvn verify', so on a CI machine it must be available; a missing
 * one fails here instead of silently shrinking the suite. Unavailable ones (ascend without an
 * NPU or emulator) are reported on stderr, not passed.
 *
 * <p>The system property {@code npukit.test.backends} (comma-separated names) narrows the suites
 * to those backends: the pom's instruction-set executions set it to {@code cpu}, the only backend
 * whose code path the instruction set chooses. A named backend that is not available fails.
 */
public final class AvailableBackends {
    private AvailableBackends() {
    }

    public static List<String> underTest() {
        for (BackendInfo info : Backends.all()) {
            if (!info.available()) {
                System.err.println("[npukit tests] backend " + info.name() + " not tested here: " + info.reason());
            }
        }
        if (!Backends.info(CpuBackend.NAME).available()) {
            throw new AssertionError("the cpu backend must be available in a built tree: "
                    + Backends.info(CpuBackend.NAME).reason());
        }
        return Backends.available().stream().map(Backend::name).filter(n -> !n.equals(ReferenceBackend.NAME))
                .filter(AvailableBackends::selected).collect(Collectors.toList());
    }

    private static boolean selected(String name) {
        String property = System.getProperty("npukit.test.backends", "").strip();
        if (property.isEmpty()) {
            return true;
        }
        Set<String> names = Arrays.stream(property.split(",")).map(String::strip).collect(Collectors.toSet());
        for (String n : names) {
            if (!Backends.info(n).available()) {
                throw new AssertionError("npukit.test.backends names " + n + ", which is not available: "
                        + Backends.info(n).reason());
            }
        }
        return names.contains(name);
    }

    /** Every available backend including the reference (for checks that hold on all of them). */
    public static List<String> all() {
        underTest();
        return Backends.available().stream().map(Backend::name)
                .filter(n -> n.equals(ReferenceBackend.NAME) || selected(n)).collect(Collectors.toList());
    }
}
