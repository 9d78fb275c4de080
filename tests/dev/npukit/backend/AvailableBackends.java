package dev.npukit.backend;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The backends the equality suites run: every available backend except the reference itself.
 * The cpu backend is built by 'mvn verify', so on a CI machine it must be available; a missing
 * one fails here instead of silently shrinking the suite. Unavailable ones (ascend without an
 * NPU or emulator) are reported on stderr, not passed.
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
                .collect(Collectors.toList());
    }

    /** Every available backend including the reference (for checks that hold on all of them). */
    public static List<String> all() {
        underTest();
        return Backends.available().stream().map(Backend::name).collect(Collectors.toList());
    }
}
