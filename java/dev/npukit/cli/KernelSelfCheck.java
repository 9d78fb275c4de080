package dev.npukit.cli;

import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.check.CaseResult;
import dev.npukit.check.KernelCase;
import dev.npukit.check.KernelCases;
import dev.npukit.check.KernelCheck;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's equality self-check: the registry's quick subset ({@link KernelCases#quick()}, a few
 * cases of every kernel family and its edge cases) on every available backend against the
 * reference, each within its docs/kernels.md bound, as {@code npukit check} runs the whole
 * registry. A case that fails or throws is reported with the others, not hidden.
 */
final class KernelSelfCheck {
    private KernelSelfCheck() {
    }

    /** One case on one backend: its family, its registry name, the error against the reference, the bound. */
    record Outcome(String kernel, String caseName, String backend, double error, double bound, String note) {
        boolean passed() {
            return note == null && error <= bound;
        }
    }

    static List<Outcome> run() {
        List<Outcome> out = new ArrayList<>();
        Backend ref = Backends.get("reference");
        List<KernelCase> cases = KernelCases.quick();
        for (Backend be : Backends.available()) {
            if (be.name().equals(ref.name())) {
                continue;
            }
            for (KernelCase c : cases) {
                CaseResult r = KernelCheck.run(c, be, ref);
                out.add(new Outcome(c.kernel(), c.name(), be.name(), r.error(), r.bound(),
                        r.passed() ? null : "FAILED: " + r.message()));
            }
        }
        return out;
    }
}
