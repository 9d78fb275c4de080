package dev.npukit.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.tensor.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/kernels.md, equality between backends: every registry case ({@link KernelCases#all()}) on
 * every available backend other than the reference, within the case's bound. The registry itself
 * is checked for what docs/check.md promises of it.
 */
class RegistryEqualityTest {
    static Stream<Arguments> casesOnBackends() {
        List<KernelCase> cases = KernelCases.all();
        return AvailableBackends.underTest().stream()
                .flatMap(name -> cases.stream().map(c -> Arguments.of(name, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("casesOnBackends")
    void matchesTheReference(String backendName, KernelCase c) {
        Backend backend = Backends.get(backendName);
        CaseResult r = KernelCheck.run(c, backend, Backends.get("reference"));
        assertTrue(r.passed(), backendName + ", " + c.name() + ": " + r.message());
    }

    @Test
    void theRegistryIsLargeDeterministicAndCoversEveryKernel() {
        List<KernelCase> cases = KernelCases.all();
        assertTrue(cases.size() >= 300, cases.size() + " cases");
        Set<String> names = new HashSet<>();
        Map<String, Set<DType>> dtypes = new LinkedHashMap<>();
        for (KernelCase c : cases) {
            assertTrue(names.add(c.name()), "duplicate case name " + c.name());
            dtypes.computeIfAbsent(c.kernel(), k -> new HashSet<>()).add(c.dtype());
        }
        assertEquals(List.of("attention", "writeKv", "rope", "contrastive", "bgmvShrink", "bgmvExpand", "matmul",
                "rmsNorm", "siluMul", "embedding"), new ArrayList<>(dtypes.keySet()));
        dtypes.forEach((kernel, types) -> assertEquals(dtypesOf(kernel), types, kernel));
        List<KernelCase> again = KernelCases.all();
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(cases.get(i).name(), again.get(i).name());
            assertEquals(cases.get(i).seed(), again.get(i).seed());
        }
    }

    @Test
    void theEdgeCasesAndTheQuickSubsetCoverEveryFamilyAndEdge() {
        Set<String> edges = new TreeSet<>();
        for (KernelCase c : KernelCases.all()) {
            String[] words = c.name().split(" ");
            if (words[1].startsWith("edge=")) {
                edges.add(c.kernel() + " " + words[1]);
            }
        }
        assertEquals(Set.of("attention edge=huge-scale", "attention edge=zero-scale",
                "contrastive edge=all-cd-neg-inf", "contrastive edge=beta0-infinite-base",
                "contrastive edge=extreme-logits", "rmsNorm edge=eps0", "rmsNorm edge=large",
                "rmsNorm edge=zero-rows", "siluMul edge=extreme-gate"), edges);
        List<KernelCase> quick = KernelCases.quick();
        Set<String> quickEdges = new TreeSet<>();
        Map<String, Set<DType>> dtypes = new LinkedHashMap<>();
        for (KernelCase c : quick) {
            String[] words = c.name().split(" ");
            if (words[1].startsWith("edge=")) {
                quickEdges.add(c.kernel() + " " + words[1]);
            }
            dtypes.computeIfAbsent(c.kernel(), k -> new HashSet<>()).add(c.dtype());
        }
        assertEquals(edges, quickEdges);
        assertEquals(10, dtypes.size());
        dtypes.forEach((kernel, types) -> assertEquals(dtypesOf(kernel), types, kernel));
        assertEquals(39, quick.size());
    }

    /** The float dtypes a family's cases cover: all three, except for the kernels whose contract is F32 only. */
    private static Set<DType> dtypesOf(String kernel) {
        return kernel.equals("rmsNorm") || kernel.equals("siluMul") ? Set.of(DType.F32)
                : Set.of(DType.F32, DType.F16, DType.BF16);
    }

    /** The contrastive cases are not greedy decoding in disguise: many rows pick another token than the expert's argmax. */
    @Test
    void contrastiveCasesDifferFromGreedyDecoding() {
        Backend reference = Backends.get("reference");
        int rows = 0;
        int differ = 0;
        for (KernelCase c : KernelCases.all()) {
            if (c instanceof ContrastiveCase cc && !c.name().contains(" edge=")) {
                int[] greedy = cc.greedyTokens();
                float[] token = c.run(reference).get("token");
                for (int b = 0; b < greedy.length; b++) {
                    rows++;
                    differ += token[b] == greedy[b] ? 0 : 1;
                }
            }
        }
        assertTrue(differ >= 40, differ + " of " + rows + " rows differ from greedy decoding");
    }

    /** Each contract check passes the reference's outputs and fails them with one element changed where it looks. */
    @Test
    void theContractChecksCatchABreach() {
        Backend reference = Backends.get("reference");
        Map<String, String> changed = new LinkedHashMap<>();
        changed.put("writeKv/000 ", "kCache");      // every slot is checked: slot 0 too
        changed.put("writeKv/001 ", "vCache");
        changed.put("bgmvShrink/000 ", "y");        // row 0 has no adapter: zeros
        changed.put("bgmvExpand/000 ", "y");        // row 0 has no adapter: untouched
        changed.put("matmul/036 ", "rowsAlone");    // row 0 alone equals row 0 of the batch
        changed.put("matmul/040 ", "out");          // k = 0: +0 everywhere
        changed.put("matmul/051 ", "out");          // k = 0 with a bias: the bias
        changed.put("rmsNorm/023 ", "residual");    // residual + x, exactly
        for (Map.Entry<String, String> e : changed.entrySet()) {
            KernelCase c = KernelCases.all().stream().filter(k -> k.name().startsWith(e.getKey())).findFirst()
                    .orElseThrow();
            Map<String, float[]> out = c.run(reference);
            assertEquals(null, c.check(out), c.name());
            float[] x = out.get(e.getValue());
            x[0] = x[0] == 0 ? -0f : Math.nextUp(x[0]);
            String broken = c.check(out);
            assertTrue(broken != null && broken.startsWith(e.getValue() + ":"), c.name() + ": " + broken);
        }
    }

    @Test
    void aCaseBuildsTheSameInputsEveryRun() {
        Backend reference = Backends.get("reference");
        for (KernelCase c : KernelCases.all()) {
            if (c.name().startsWith("attention/000 ") || c.name().startsWith("contrastive/001 ")) {
                CaseResult r = KernelCheck.compare(c, c.run(reference), c.run(reference));
                assertTrue(r.passed() && r.error() == 0, c.name() + ": " + r.message());
            }
        }
    }

    @Test
    void termMagnitudesBoundTheOutputs() {
        Backend reference = Backends.get("reference");
        int withMagnitudes = 0;
        for (KernelCase c : KernelCases.all()) {
            Map<String, float[]> magnitudes = c.termMagnitudes(reference);
            if (magnitudes == null) {
                continue;
            }
            withMagnitudes++;
            Map<String, float[]> outputs = c.run(reference);
            assertEquals(outputs.keySet(), magnitudes.keySet(), c.name());
            for (Map.Entry<String, float[]> e : outputs.entrySet()) {
                float[] out = e.getValue();
                float[] mag = magnitudes.get(e.getKey());
                // |sum of terms| <= sum of |terms|, up to the rounding of both sums and of their stores.
                double slack = switch (c.outputType(e.getKey())) {
                    case BF16 -> 1e-2;
                    case F16 -> 2e-3;
                    default -> 1e-5;
                };
                for (int i = 0; i < out.length; i++) {
                    boolean bounded = !Float.isFinite(out[i]) || Math.abs(out[i]) <= mag[i] * (1 + slack);
                    assertTrue(bounded, c.name() + " " + e.getKey() + "[" + i + "]: |" + out[i] + "| > " + mag[i]);
                }
            }
        }
        assertTrue(withMagnitudes > 100, "cases with term magnitudes: " + withMagnitudes);
    }

    @Test
    void theComparisonCatchesADifference() {
        KernelCase exact = KernelCases.all().stream().filter(c -> c.kernel().equals("rope")).findFirst().orElseThrow();
        KernelCase bounded = KernelCases.all().stream().filter(c -> c.kernel().equals("matmul")).findFirst()
                .orElseThrow();
        float[] ref = {1f, 2f, -4f};
        // One ulp off fails a bit-exact kernel, and -0 is not 0.
        assertTrue(!KernelCheck.compare(exact, Map.of("x", ref), Map.of("x", new float[] {1f, Math.nextUp(2f), -4f}))
                .passed());
        assertTrue(!KernelCheck.compare(exact, Map.of("x", new float[] {0f}), Map.of("x", new float[] {-0f}))
                .passed());
        // 1e-6 of max |ref| passes the 1e-5 bound, 1e-4 does not; a NaN the reference lacks fails.
        assertTrue(KernelCheck.compare(bounded, Map.of("out", ref), Map.of("out", new float[] {1f, 2f, -4.000004f}))
                .passed());
        CaseResult off = KernelCheck.compare(bounded, Map.of("out", ref),
                Map.of("out", new float[] {1f, 2f, -4.0004f}));
        assertTrue(!off.passed() && off.error() > 9e-5 && off.error() < 1.1e-4, off.toString());
        assertTrue(!KernelCheck.compare(bounded, Map.of("out", ref), Map.of("out", new float[] {1f, Float.NaN, -4f}))
                .passed());
        // An output stored in BF16 may differ by one unit in its last place (2^-5 at 4), not by two.
        KernelCase bf16Out = KernelCases.all().stream()
                .filter(c -> c.kernel().equals("attention") && c.outputType("out") == DType.BF16).findFirst()
                .orElseThrow();
        assertEquals(2e-3, bf16Out.bound());
        assertTrue(KernelCheck.compare(bf16Out, Map.of("out", ref), Map.of("out", new float[] {1f, 2f, -4.03125f}))
                .passed());
        assertTrue(!KernelCheck.compare(bf16Out, Map.of("out", ref), Map.of("out", new float[] {1f, 2f, -4.0625f}))
                .passed());
        // An output whose terms cancel (1e-3 left of terms of size 1) is held to the terms' size: 1e-7
        // off fails against max |ref| alone, passes against the magnitudes.
        float[] small = {1e-3f};
        float[] nudged = {1e-3f + 1e-7f};
        assertTrue(!KernelCheck.compare(bounded, Map.of("out", small), Map.of("out", nudged)).passed());
        assertTrue(KernelCheck.compare(bounded, Map.of("out", small), Map.of("out", new float[] {1f}),
                Map.of("out", nudged)).passed());
        assertTrue(!KernelCheck.compare(bounded, Map.of("out", small), Map.of("out", new float[] {1e-3f}),
                Map.of("out", nudged)).passed(), "magnitudes no larger than the output change nothing");
        // Missing or shorter outputs fail.
        assertTrue(!KernelCheck.compare(bounded, Map.of("out", ref), Map.of()).passed());
        assertTrue(!KernelCheck.compare(bounded, Map.of("out", ref), Map.of("out", new float[] {1f})).passed());
    }
}
