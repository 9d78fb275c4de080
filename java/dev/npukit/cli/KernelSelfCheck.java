package dev.npukit.cli;

import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.check.KernelCheck;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The demo's equality self-check: each kernel on small random inputs on every available backend,
 * compared with the reference as max |x - ref| / max |ref| against the docs/kernels.md, equality between backends bound (0 for
 * the kernels that must be bit-exact). A kernel a backend does not have is reported, not hidden.
 */
final class KernelSelfCheck {
    private KernelSelfCheck() {
    }

    /** One kernel on one backend: the error against the reference, the bound, and whether it held. */
    record Outcome(String kernel, String backend, double error, double bound, String note) {
        boolean passed() {
            return note == null && error <= bound;
        }
    }

    static List<Outcome> run(DType cacheType) {
        List<Outcome> out = new ArrayList<>();
        Backend ref = Backends.get("reference");
        for (Backend be : Backends.available()) {
            if (be.name().equals(ref.name())) {
                continue;
            }
            out.add(check("matmul", be, ref, 1e-5, KernelSelfCheck::matmul));
            out.add(check("writeKv", be, ref, 0, b -> writeKv(b, cacheType)));
            out.add(check("pagedAttention", be, ref, cacheType == DType.F32 ? 1e-5 : 2e-3, b -> attention(b, cacheType)));
            out.add(check("rope", be, ref, 0, KernelSelfCheck::rope));
            out.add(check("bgmvShrink+Expand", be, ref, 1e-5, KernelSelfCheck::bgmv));
            out.add(check("contrastive", be, ref, 0, KernelSelfCheck::contrastive));
        }
        return out;
    }

    private static Outcome check(String kernel, Backend be, Backend ref, double bound, Function<Backend, float[]> f) {
        try {
            float[] expected = f.apply(ref);
            float[] got = f.apply(be);
            return new Outcome(kernel, be.name(), KernelCheck.relativeError(got, expected, DType.F32), bound, null);
        } catch (RuntimeException e) {
            // A kernel that throws on valid input has failed its check; report it with the others.
            return new Outcome(kernel, be.name(), Double.NaN, bound, "FAILED: " + e.getMessage());
        }
    }

    private static float[] gaussian(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static float[] matmul(Backend b) {
        try (Tensor x = b.fromFloats(DType.F32, gaussian(1, 5 * 67), 5, 67);
                Tensor w = b.fromFloats(DType.BF16, gaussian(2, 37 * 67), 37, 67);
                Tensor o = b.allocate(DType.F32, 5, 37)) {
            b.matmul(new MatmulArgs(x, w, o));
            return o.toFloatArray();
        }
    }

    private static float[] writeKv(Backend b, DType cacheType) {
        try (Tensor k = b.fromFloats(DType.F32, gaussian(3, 6 * 2 * 8), 6, 2, 8);
                Tensor v = b.fromFloats(DType.F32, gaussian(4, 6 * 2 * 8), 6, 2, 8);
                Tensor kc = b.allocate(cacheType, 4, 4, 2, 8);
                Tensor vc = b.allocate(cacheType, 4, 4, 2, 8);
                Tensor slots = b.fromInts(new int[] {5, 0, -1, 15, 9, 2}, 6)) {
            b.writeKv(new WriteKvArgs(k, v, kc, vc, slots));
            float[] a = kc.toFloatArray();
            float[] c = vc.toFloatArray();
            float[] both = java.util.Arrays.copyOf(a, a.length + c.length);
            System.arraycopy(c, 0, both, a.length, c.length);
            return both;
        }
    }

    private static float[] attention(Backend b, DType cacheType) {
        int blocks = 6;
        int bs = 4;
        try (Tensor q = b.fromFloats(DType.F32, gaussian(5, 7 * 4 * 16), 7, 4, 16);
                Tensor kc = b.fromFloats(cacheType, gaussian(6, blocks * bs * 2 * 16), blocks, bs, 2, 16);
                Tensor vc = b.fromFloats(cacheType, gaussian(7, blocks * bs * 2 * 16), blocks, bs, 2, 16);
                Tensor tables = b.fromInts(new int[] {3, 1, 5, 0, 2, 4}, 2, 3);
                Tensor lens = b.fromInts(new int[] {10, 12}, 2);
                Tensor starts = b.fromInts(new int[] {0, 6, 7}, 3);
                Tensor cs = b.fromFloats(DType.F32, RopeTables.cosSin(64, 16, 10000), 64, 16);
                Tensor out = b.allocate(DType.F32, 7, 4, 16)) {
            b.pagedAttention(AttentionArgs.builder().q(q).kvCache(kc, vc).blockTables(tables).seqLens(lens)
                    .queryStartLoc(starts).rope(RopeStyle.NEOX, cs).out(out).build());
            return out.toFloatArray();
        }
    }

    private static float[] rope(Backend b) {
        try (Tensor x = b.fromFloats(DType.F32, gaussian(8, 5 * 3 * 16), 5, 3, 16);
                Tensor pos = b.fromInts(new int[] {0, 7, 3, 63, 12}, 5);
                Tensor cs = b.fromFloats(DType.F32, RopeTables.cosSin(64, 16, 10000), 64, 16)) {
            b.rope(new RopeArgs(x, pos, cs, RopeStyle.NEOX, 16));
            return x.toFloatArray();
        }
    }

    private static float[] bgmv(Backend b) {
        try (Tensor x = b.fromFloats(DType.F32, gaussian(9, 4 * 40), 4, 40);
                Tensor a = b.fromFloats(DType.F16, gaussian(10, 2 * 8 * 40), 2, 8, 40);
                Tensor w = b.fromFloats(DType.F16, gaussian(11, 2 * 24 * 8), 2, 24, 8);
                Tensor idx = b.fromInts(new int[] {1, -1, 0, 1}, 4);
                Tensor v = b.allocate(DType.F32, 4, 8);
                Tensor y = b.fromFloats(DType.F32, gaussian(12, 4 * 30), 4, 30)) {
            b.bgmvShrink(new BgmvShrinkArgs(x, a, idx, v, 0.5f));
            b.bgmvExpand(new BgmvExpandArgs(v, w, idx, y, 3));
            return y.toFloatArray();
        }
    }

    private static float[] contrastive(Backend b) {
        try (Tensor logits = b.fromFloats(DType.F32, gaussian(13, 6 * 300), 6, 300);
                Tensor token = b.allocate(DType.I32, 3);
                Tensor score = b.allocate(DType.F32, 3);
                Tensor count = b.allocate(DType.I32, 3)) {
            b.contrastive(ContrastiveArgs.builder().interleaved(logits).alpha(0.1f).beta(0.5f)
                    .outputs(token, score, count).build());
            int[] t = token.toIntArray();
            int[] c = count.toIntArray();
            float[] s = score.toFloatArray();
            return new float[] {t[0], t[1], t[2], c[0], c[1], c[2], s[0], s[1], s[2]};
        }
    }
}
