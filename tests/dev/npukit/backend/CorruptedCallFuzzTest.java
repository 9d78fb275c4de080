package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.npukit.backend.FuzzCall.Kernel;
import dev.npukit.backend.FuzzCall.Outcome;
import dev.npukit.check.KernelCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random small calls of all ten kernels, most of them corrupted ({@link FuzzCallGenerator}),
 * each made on the reference and on a backend under test. The backend must do what the reference
 * does: refuse the same calls with an IllegalArgumentException carrying the same message, leaving
 * every tensor as it was; accept the same calls and produce the reference's contents in every
 * tensor (integers exactly, floats within the docs/kernels.md equality bound of the call's loosest
 * dtype, relative to the summed terms' size where they can cancel, plus one rounding step of an F16
 * or BF16 result); and never write outside a tensor (guard elements around every tensor).
 *
 * <p>Calls per backend: {@code -Dnpukit.fuzz.calls=N} for the cpu (default 16,000, about 15 s),
 * half of that for the slower Ascend emulator (about 10 s), so that 'mvn verify' makes 24,000 on
 * each cpu code path it tests (the pom's default and baseline-ISA executions);
 * {@code scripts/fuzz.sh N} runs this class alone with N calls. The calls come from a fixed seed, so
 * every run makes the same ones; {@code -Dnpukit.fuzz.seed=S} draws another series (a failure
 * names the seed and the call's number, which reproduce it).
 */
class CorruptedCallFuzzTest {
    private static final int DEFAULT_CALLS = 16_000;
    private static final long DEFAULT_SEED = 20261204L;

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    static int calls(String backend) {
        int calls = Integer.getInteger("npukit.fuzz.calls", DEFAULT_CALLS);
        return backend.equals(AscendBackend.NAME) ? Math.max(1, calls / 2) : calls;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyBackendAcceptsRefusesAndComputesLikeTheReference(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        long seed = Long.getLong("npukit.fuzz.seed", DEFAULT_SEED);
        FuzzCallGenerator generator = new FuzzCallGenerator(name.hashCode() * 31L + seed);
        int calls = calls(name);
        int[] accepted = new int[Kernel.values().length];
        int[] refused = new int[Kernel.values().length];
        for (int i = 0; i < calls; i++) {
            FuzzCall call = generator.next();
            Outcome expected = run(reference, call, i);
            Outcome got = run(backend, call, i);
            String where = "call " + i + " of seed " + seed + " on " + name + ": " + call;
            assertEquals(expected.refusal(), got.refusal(), "refusal differs from the reference, " + where);
            if (got.refusal() == null) {
                accepted[call.kernel.ordinal()]++;
                FuzzCall absolute = call.absoluteTerms();
                Map<String, Object> magnitudes = Map.of();
                if (absolute != null) {
                    Outcome terms = run(reference, absolute, i);
                    assertNull(terms.refusal(), "the reference refuses the call with absolute terms, " + where);
                    magnitudes = terms.contents();
                }
                assertSameContents(expected.contents(), magnitudes, got.contents(), call, where);
            } else {
                refused[call.kernel.ordinal()]++;
                assertTrue(got.refusal().contains(":"), "the refusal names no argument: " + got.refusal());
            }
        }
        StringBuilder stats = new StringBuilder("[npukit fuzz] " + name + ": " + calls + " calls;");
        for (Kernel k : Kernel.values()) {
            stats.append(' ').append(k).append(' ').append(accepted[k.ordinal()]).append(" accepted/")
                    .append(refused[k.ordinal()]).append(" refused;");
        }
        System.err.println(stats);
        if (calls >= 1000) {
            for (Kernel k : Kernel.values()) {
                assertTrue(accepted[k.ordinal()] >= calls / 100 && refused[k.ordinal()] >= calls / 100,
                        "the generator rarely reaches one side of " + k + ": " + stats);
            }
        }
    }

    /** The call on one backend; a refusal or a guard write there fails the test at once. */
    private static Outcome run(Backend b, FuzzCall call, int i) {
        Outcome o;
        try {
            o = call.run(b);
        } catch (RuntimeException e) {
            throw new AssertionError("call " + i + " on " + b.name() + " threw " + e + ": " + call, e);
        }
        assertTrue(o.touched().isEmpty(), "call " + i + " on " + b.name() + (o.refusal() == null
                ? " wrote outside " : " was refused (" + o.refusal() + ") but wrote ") + o.touched() + ": " + call);
        return o;
    }

    private static void assertSameContents(Map<String, Object> expected, Map<String, Object> magnitudes,
            Map<String, Object> got, FuzzCall call, String where) {
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            double bound = KernelCheck.reductionBound(call.loosestFloat());
            Object x = got.get(e.getKey());
            if (e.getValue() instanceof int[] ints) {
                if (!java.util.Arrays.equals(ints, (int[]) x)) {
                    fail(e.getKey() + " is " + java.util.Arrays.toString((int[]) x) + ", the reference's "
                            + java.util.Arrays.toString(ints) + ", " + where);
                }
            } else {
                double err = KernelCheck.relativeError((float[]) x, (float[]) e.getValue(),
                        call.spec(e.getKey()).dtype, (float[]) magnitudes.get(e.getKey()));
                assertTrue(err <= bound, e.getKey() + ": relative error " + err + " exceeds " + bound + ", "
                        + where);
            }
        }
    }
}
