package dev.npukit.check;

import dev.npukit.check.ContrastiveCase.Layout;
import dev.npukit.check.ContrastiveCase.Logits;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The registry: every kernel case that {@code npukit check} and {@code RegistryEqualityTest} run
 * on a backend against the reference. Generated from fixed seeds, so the list (names, shapes and
 * data) is the same on every machine. A new case is added here, in its family's method, with
 * parameters drawn after the existing draws or from a {@code Random} of its own, so the existing
 * cases keep their names and data (docs/check.md, adding a case). Cases whose parameters start
 * with "edge=" hold the backends to the edges docs/kernels.md decides ({@code npukit check
 * --filter edge}).
 *
 * <p>Shapes stay small (the ascend emulator runs each kernel once per block index on one core)
 * except where a code path needs size: attention rows past 1,024 slots (the cpu kernel's decode
 * split), vocabularies of 32,000 and 151,936 (the ascend top-k's tiles and chunks, the cpu
 * kernel's candidate buffer).
 */
public final class KernelCases {
    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16};

    private KernelCases() {
    }

    /**
     * Every case of the registry.
     *
     * @return the cases family by family (attention, writeKv, rope, contrastive, bgmvShrink,
     *     bgmvExpand, matmul, rmsNorm, siluMul, embedding), in the same order with the same names and data on every call
     */
    public static List<KernelCase> all() {
        List<KernelCase> cases = new ArrayList<>();
        attention(cases);
        writeKv(cases);
        rope(cases);
        contrastive(cases);
        bgmvShrink(cases);
        bgmvExpand(cases);
        matmul(cases);
        rmsNorm(cases);
        siluMul(cases);
        embedding(cases);
        return Collections.unmodifiableList(cases);
    }

    /**
     * A small, fast subset for a self-check (the demo's): cases 0 to 2 of every family (their
     * dtypes cycle through F32, F16 and BF16 where the kernel takes them; contrastive from case 9,
     * the first with more than 8 tokens), and the first case of every edge kind. Deterministic,
     * like {@link #all()}.
     *
     * @return 39 cases, in registry order
     */
    public static List<KernelCase> quick() {
        Set<String> edgeKinds = new HashSet<>();
        List<KernelCase> quick = new ArrayList<>();
        for (KernelCase c : all()) {
            String name = c.name();
            int number = Integer.parseInt(name.substring(name.indexOf('/') + 1, name.indexOf(' ')));
            int first = c.kernel().equals("contrastive") ? 9 : 0;
            int edge = name.indexOf(" edge=");
            boolean newEdge = edge >= 0 && edgeKinds.add(name.substring(edge, name.indexOf(' ', edge + 1)));
            if ((number >= first && number < first + 3) || newEdge) {
                quick.add(c);
            }
        }
        return Collections.unmodifiableList(quick);
    }

    private static int rotaryDim(Random r, int headDim) {
        return r.nextBoolean() ? headDim : 2 * (1 + r.nextInt(headDim / 2));
    }

    /**
     * 135 short cases cycle through every combination of cache, q and out dtype and rotary style
     * (81 of them), head dims 40 to 256, block sizes 1 to 32, GQA groups 1 to 8; some sequences
     * have no query row (and some of those no KV either). 12 long cases take the split path.
     */
    private static void attention(List<KernelCase> cases) {
        Random r = new Random(20261204L);
        int[] headDims = {40, 64, 80, 96, 128, 256, 72};
        int[] blockSizes = {1, 2, 3, 4, 8, 16, 32};
        int index = 0;
        for (int c = 0; c < 135; c++) {
            DType cache = FLOATS[c % 3];
            RopeStyle style = RopeStyle.values()[(c / 3) % 3];
            DType q = FLOATS[(c / 9) % 3];
            DType out = FLOATS[(c / 27) % 3];
            int headDim = headDims[c % headDims.length];
            int blockSize = blockSizes[r.nextInt(blockSizes.length)];
            int group = 1 + r.nextInt(8);
            int kvHeads = headDim >= 128 ? 1 : 1 + r.nextInt(2);
            int[][] step = mixedStep(r, 1 + r.nextInt(5), 70, 12);
            int[] lens = step[0];
            int[] qLens = step[1];
            cases.add(new AttentionCase(index++, r.nextLong(), kvHeads, group, headDim, blockSize, style,
                    rotaryDim(r, headDim), cache, q, out, lens, qLens));
        }
        int[] longBlocks = {16, 32, 3, 1};
        for (int c = 0; c < 12; c++) {
            int headDim = c % 2 == 0 ? 64 : 128;
            int[][] step = longStep(r, 1 + r.nextInt(2), 1200);
            int[] lens = step[0];
            int[] qLens = step[1];
            cases.add(new AttentionCase(index++, r.nextLong(), 1, 1 + r.nextInt(4), headDim,
                    longBlocks[c % longBlocks.length], RopeStyle.values()[c % 3], rotaryDim(r, headDim), FLOATS[c % 3],
                    FLOATS[(c / 3) % 3], FLOATS[(c / 2) % 3], lens, qLens));
        }
        attentionWide(cases, index);
    }

    /**
     * 9 wide cases (up to 8 KV heads of 8 query heads, 16 sequences, 300 slots, 24 query rows,
     * blocks of 128), 15 with head dims off the vector width (2 to 36) and tiny blocks, 3 long
     * ones with head dim 36 or blocks of 128 up to 4,000 slots; then the edge cases: softmax scales
     * of +-Float.MAX_VALUE (hard attention: exp((dot - max dot) * scale) is 1 at the largest dot
     * and 0 elsewhere; dot * scale would overflow) and 0 (uniform), on short rows and on decode
     * rows long enough to be split and merged.
     */
    private static void attentionWide(List<KernelCase> cases, int first) {
        Random r = new Random(20261205L);
        int index = first;
        int[] wideBlocks = {16, 32, 128};
        for (int c = 0; c < 9; c++) {
            int headDim = c % 2 == 0 ? 64 : 128;
            int seqs = 1 + r.nextInt(16);
            int[] lens = new int[seqs];
            int[] qLens = new int[seqs];
            for (int s = 0; s < seqs; s++) {
                lens[s] = 1 + r.nextInt(300);
                qLens[s] = r.nextBoolean() ? 1 : 1 + r.nextInt(Math.min(lens[s], 24));
            }
            cases.add(new AttentionCase(index++, r.nextLong(), 1 + r.nextInt(8), 1 + r.nextInt(8), headDim,
                    wideBlocks[c % 3], RopeStyle.values()[(c / 3) % 3], rotaryDim(r, headDim), FLOATS[c % 3],
                    FLOATS[r.nextInt(3)], FLOATS[r.nextInt(3)], lens, qLens));
        }
        int[] awkwardDims = {2, 10, 20, 36, 72};
        int[] tinyBlocks = {1, 3, 8};
        for (int c = 0; c < 15; c++) {
            int headDim = awkwardDims[c % awkwardDims.length];
            int seqs = 1 + r.nextInt(5);
            int[] lens = new int[seqs];
            int[] qLens = new int[seqs];
            for (int s = 0; s < seqs; s++) {
                lens[s] = 1 + r.nextInt(60);
                qLens[s] = r.nextBoolean() ? 1 : 1 + r.nextInt(Math.min(lens[s], 24));
            }
            cases.add(new AttentionCase(index++, r.nextLong(), 1 + r.nextInt(3), 1 + r.nextInt(5), headDim,
                    tinyBlocks[r.nextInt(3)], RopeStyle.values()[r.nextInt(3)], 2 * (1 + r.nextInt(headDim / 2)),
                    FLOATS[c % 3], FLOATS[(c / 3) % 3], FLOATS[r.nextInt(3)], lens, qLens));
        }
        int[][] longShapes = {{36, 3}, {64, 128}, {128, 128}};
        for (int[] shape : longShapes) {
            int seqs = 1 + r.nextInt(3);
            int[] lens = new int[seqs];
            int[] qLens = new int[seqs];
            for (int s = 0; s < seqs; s++) {
                lens[s] = 1 + r.nextInt(4000);
                qLens[s] = s == 0 ? 1 : 1 + r.nextInt(Math.min(lens[s], 24));
            }
            cases.add(new AttentionCase(index++, r.nextLong(), 1 + r.nextInt(2), 1 + r.nextInt(4), shape[0], shape[1],
                    RopeStyle.values()[r.nextInt(3)], shape[0], FLOATS[r.nextInt(3)], FLOATS[r.nextInt(3)],
                    DType.F32, lens, qLens));
        }
        float[] scales = {Float.MAX_VALUE, -Float.MAX_VALUE, 0f};
        for (int c = 0; c < 9; c++) {
            float scale = scales[c % 3];
            boolean split = c >= 6;  // decode rows past 1,024 slots: split, then merged
            int[] lens = split ? new int[] {1025 + r.nextInt(600), 40} : new int[] {1 + r.nextInt(70), 23, 5};
            int[] qLens = split ? new int[] {1, 1} : new int[] {1 + r.nextInt(4), 1, 5};
            String edge = scale == 0 ? "zero-scale" : "huge-scale";
            cases.add(new AttentionCase(index++, r.nextLong(), edge, scale, 1 + r.nextInt(2), 1 + r.nextInt(4), 64,
                    16, RopeStyle.values()[c % 3], 64, FLOATS[c % 3], FLOATS[(c / 3) % 3], FLOATS[(c + 1) % 3], lens,
                    qLens, KvLayout.NHD));
        }
        attentionHnd(cases, index);
    }

    /**
     * Sequence lengths and query rows ({lens, qLens}) of a step mixing decode and prefill: a
     * sequence after the first may have no KV (length 0) or KV but no query row this step;
     * lengths 1 to {@code maxLen}, query rows 1 or up to {@code maxQuery}.
     */
    private static int[][] mixedStep(Random r, int seqs, int maxLen, int maxQuery) {
        int[] lens = new int[seqs];
        int[] qLens = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            int kind = r.nextInt(8);
            if (s > 0 && kind == 0) {
                continue;  // seqLen 0, no query row
            }
            lens[s] = 1 + r.nextInt(maxLen);
            if (s > 0 && kind == 1) {
                continue;  // KV but no query row this step: skipped
            }
            qLens[s] = kind % 2 == 0 ? 1 : 1 + r.nextInt(Math.min(lens[s], maxQuery));
        }
        return new int[][] {lens, qLens};
    }

    /**
     * {lens, qLens} of a step over long sequences (1,025 slots and up: past the cpu kernel's
     * 1,024-slot split), the first decoding one row, the others 1 to 4.
     */
    private static int[][] longStep(Random r, int seqs, int extraLen) {
        int[] lens = new int[seqs];
        int[] qLens = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            lens[s] = 1025 + r.nextInt(extraLen);
            qLens[s] = s == 0 ? 1 : 1 + r.nextInt(4);
        }
        return new int[][] {lens, qLens};
    }

    /**
     * 36 cases over caches in the HND layout (then the prefill cases): 27 short ones through every cache dtype, rotary style
     * and q dtype, head dims 2 to 128 (off the vector width too), blocks of 1 to 128 slots, GQA
     * groups 1 to 8, up to 4 KV heads, some sequences without query rows; 6 long ones that take
     * the decode split (up to 3,000 slots); 3 at the huge and zero scales.
     */
    private static void attentionHnd(List<KernelCase> cases, int first) {
        Random r = new Random(20261206L);
        int index = first;
        int[] headDims = {2, 10, 36, 40, 64, 72, 128};
        int[] blockSizes = {1, 3, 8, 16, 32, 128};
        for (int c = 0; c < 27; c++) {
            int headDim = headDims[c % headDims.length];
            int[][] step = mixedStep(r, 1 + r.nextInt(5), 150, 20);
            int[] lens = step[0];
            int[] qLens = step[1];
            cases.add(new AttentionCase(index++, r.nextLong(), 1 + r.nextInt(4), 1 + r.nextInt(8), headDim,
                    blockSizes[r.nextInt(blockSizes.length)], RopeStyle.values()[(c / 3) % 3], rotaryDim(r, headDim),
                    FLOATS[c % 3], FLOATS[(c / 9) % 3], FLOATS[r.nextInt(3)], lens, qLens, KvLayout.HND));
        }
        int[] longBlocks = {16, 128, 3};
        for (int c = 0; c < 6; c++) {
            int headDim = c % 2 == 0 ? 64 : 128;
            int[][] step = longStep(r, 1 + r.nextInt(3), 2000);
            int[] lens = step[0];
            int[] qLens = step[1];
            cases.add(new AttentionCase(index++, r.nextLong(), 1 + r.nextInt(4), 1 + r.nextInt(4), headDim,
                    longBlocks[c % 3], RopeStyle.values()[c % 3], rotaryDim(r, headDim), FLOATS[c % 3],
                    FLOATS[(c / 3) % 3], FLOATS[(c + 1) % 3], lens, qLens, KvLayout.HND));
        }
        float[] scales = {Float.MAX_VALUE, -Float.MAX_VALUE, 0f};
        for (int c = 0; c < 3; c++) {
            int[] lens = {1025 + r.nextInt(600), 1 + r.nextInt(70)};
            int[] qLens = {1, 1 + r.nextInt(4)};
            cases.add(new AttentionCase(index++, r.nextLong(), scales[c] == 0 ? "zero-scale" : "huge-scale", scales[c],
                    1 + r.nextInt(3), 1 + r.nextInt(4), 64, 16, RopeStyle.values()[c], 64, FLOATS[c], FLOATS[c],
                    FLOATS[(c + 1) % 3], lens, qLens, KvLayout.HND));
        }
        attentionPrefill(cases, index);
    }

    /**
     * 12 cases with prompts of 33 to 130 query rows, for the cpu kernel's prefill tiles (several
     * tiles and key panels, tails of its micro-kernels): head dims 32, 64, 80 and 128, GQA groups 1,
     * 4 and 8, 1 to 4 KV heads, blocks of 1, 7, 16 and 32 slots, contexts up to 300 slots past the
     * prompt (the first row rarely at position 0, the context rarely a whole number of blocks),
     * every rotary style and dtype, both layouts; every third case adds a decode row.
     */
    private static void attentionPrefill(List<KernelCase> cases, int first) {
        Random r = new Random(20261207L);
        int index = first;
        int[] headDims = {32, 64, 80, 128};
        int[] groups = {1, 4, 8};
        int[] blockSizes = {1, 7, 16, 32};
        for (int c = 0; c < 12; c++) {
            int headDim = headDims[c % 4];
            int seqs = c % 3 == 2 ? 2 : 1;
            int[] lens = new int[seqs];
            int[] qLens = new int[seqs];
            qLens[0] = 33 + r.nextInt(98);
            lens[0] = qLens[0] + r.nextInt(300);
            if (seqs == 2) {
                lens[1] = 1 + r.nextInt(200);
                qLens[1] = 1;
            }
            cases.add(new AttentionCase(index++, r.nextLong(), 1 << r.nextInt(3), groups[c % 3], headDim,
                    blockSizes[r.nextInt(4)], RopeStyle.values()[c % 3], rotaryDim(r, headDim), FLOATS[c % 3],
                    FLOATS[(c / 3) % 3], FLOATS[r.nextInt(3)], lens, qLens, c % 2 == 0 ? KvLayout.NHD : KvLayout.HND));
        }
    }

    /**
     * 42 cases: every key and cache dtype pair 4 times, then 6 with blocks of 128 slots and up to
     * 8 KV heads; -1 skips and repeated slots (the later token wins). Then 18 over caches in the
     * HND layout: every dtype pair twice, head dims 2 to 128, blocks of 1 to 128 slots, up to 8 KV heads.
     */
    private static void writeKv(List<KernelCase> cases) {
        Random r = new Random(7);
        int[] headDims = {8, 40, 64, 128, 17 * 2};
        int[] blockSizes = {1, 4, 16, 32};
        for (int c = 0; c < 36; c++) {
            int blockSize = blockSizes[r.nextInt(blockSizes.length)];
            int numBlocks = 1 + r.nextInt(6);
            int tokens = 1 + r.nextInt(40);
            int slots = numBlocks * blockSize;
            int[] mapping = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                mapping[t] = r.nextInt(8) == 0 ? -1 : r.nextInt(Math.min(slots, 24));
            }
            cases.add(new WriteKvCase(c, r.nextLong(), FLOATS[c % 3], FLOATS[(c / 3) % 3], 1 + r.nextInt(4),
                    headDims[r.nextInt(headDims.length)], blockSize, numBlocks, mapping));
        }
        // Blocks of 128 slots and up to 8 KV heads.
        for (int c = 36; c < 42; c++) {
            int numBlocks = 1 + r.nextInt(3);
            int tokens = 1 + r.nextInt(40);
            int[] mapping = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                mapping[t] = r.nextInt(8) == 0 ? -1 : r.nextInt(numBlocks * 128);
            }
            cases.add(new WriteKvCase(c, r.nextLong(), FLOATS[c % 3], FLOATS[(c / 3) % 3], 1 + r.nextInt(8),
                    c % 2 == 0 ? 64 : 128, 128, numBlocks, mapping));
        }
        Random h = new Random(8);
        int[] hndDims = {2, 8, 34, 40, 64, 128};
        int[] hndBlocks = {1, 3, 16, 128};
        for (int c = 42; c < 60; c++) {
            int blockSize = hndBlocks[h.nextInt(hndBlocks.length)];
            int numBlocks = 1 + h.nextInt(5);
            int tokens = 1 + h.nextInt(40);
            int[] mapping = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                mapping[t] = h.nextInt(8) == 0 ? -1 : h.nextInt(Math.min(numBlocks * blockSize, 48));
            }
            cases.add(new WriteKvCase(c, h.nextLong(), FLOATS[c % 3], FLOATS[(c / 3) % 3], 1 + h.nextInt(8),
                    hndDims[h.nextInt(hndDims.length)], blockSize, numBlocks, mapping, KvLayout.HND));
        }
    }

    /** 36 cases: every dtype and style (NONE included) 4 times, partial rotary, positions up to 5,000. */
    private static void rope(List<KernelCase> cases) {
        Random r = new Random(11);
        int[] headDims = {40, 64, 128, 96, 256, 6};
        for (int c = 0; c < 36; c++) {
            int headDim = headDims[r.nextInt(headDims.length)];
            cases.add(new RopeCase(c, r.nextLong(), FLOATS[c % 3], RopeStyle.values()[(c / 3) % 3], 1 + r.nextInt(30),
                    1 + r.nextInt(8), headDim, rotaryDim(r, headDim), 1 + r.nextInt(5000)));
        }
    }

    /**
     * 84 cases: every dtype and layout; ties, -inf and +inf logits; alpha 1 and beta 0; top-k from
     * 1 up to the whole vocabulary; greedy and sampled; vocabularies off the vector width, 1 to 32,000.
     */
    private static void contrastive(List<KernelCase> cases) {
        Random r = new Random(20260301L);
        int[] vocabs = {1, 5, 8, 17, 255, 1000, 4099, 9000, 32000};
        float[] alphas = {0.1f, 1.0f, 0.5f, 1e-3f};
        float[] betas = {0.5f, 0.0f, 2.0f, 0.1f};
        ContrastiveCase.Logits[] kinds = {Logits.PEAKED, Logits.TIES, Logits.FLAT, Logits.MASKED, Logits.INFINITE};
        for (int c = 0; c < 84; c++) {
            int vocab = vocabs[(c / 3) % vocabs.length];
            int batch = vocab >= 9000 ? 1 + r.nextInt(2) : (c % 4 == 0 ? 1 : 1 + r.nextInt(8));
            int topK = switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> vocab;
                default -> 1 + r.nextInt(Math.min(vocab, 12));
            };
            float temperature = c % 3 == 1 ? 0.3f + r.nextFloat() * 2 : Float.NaN;
            cases.add(new ContrastiveCase(c, r.nextLong(), FLOATS[c % 3],
                    ContrastiveCase.Layout.values()[(c / 9) % 3], kinds[r.nextInt(kinds.length)],
                    kinds[r.nextInt(kinds.length)], batch, vocab, alphas[r.nextInt(alphas.length)],
                    betas[r.nextInt(betas.length)], topK, temperature));
        }
        contrastiveLarge(cases, 84);
    }

    /**
     * 2 cases at Qwen's vocabulary (151,936), 6 batches of 16 rows of 32,000, 4 top-k lists up to
     * the whole vocabulary over tie-heavy rows (inside and across the ascend kernel's tiles, which
     * its unified buffer sizes), 36 batches of adversarial rows (vocabularies of 520 to 151,936); then the edge cases (docs/kernels.md, contrastive scoring): beta = 0 with infinite
     * base logits (greedy argmax, the base ignored), rows whose valid cd are all -inf (the lowest
     * valid indices), logits within 1/16 of the dtype's largest finite magnitude.
     */
    private static void contrastiveLarge(List<KernelCase> cases, int first) {
        Random r = new Random(20261206L);
        int index = first;
        Layout[] layouts = Layout.values();
        for (int c = 0; c < 2; c++) {
            cases.add(new ContrastiveCase(index++, r.nextLong(), FLOATS[2 * c], layouts[c], Logits.PEAKED,
                    Logits.PEAKED, 1 + c, 151936, 0.1f, 0.5f, 9, c == 0 ? Float.NaN : 0.8f));
        }
        for (int c = 0; c < 6; c++) {
            cases.add(new ContrastiveCase(index++, r.nextLong(), FLOATS[c % 3], Layout.INTERLEAVED, Logits.PEAKED,
                    Logits.PEAKED, 16, 32000, 0.1f, 0.5f, 8, c < 3 ? Float.NaN : 0.8f));
        }
        int[][] vocabAndK = {{5000, 5000}, {9000, 4097}, {9000, 300}, {32000, 32000}};
        for (int[] vk : vocabAndK) {
            cases.add(new ContrastiveCase(index++, r.nextLong(), DType.F32, Layout.SEPARATE, Logits.STEPS,
                    Logits.TIES, 3, vk[0], 1e-30f, 0.5f, vk[1], Float.NaN));
        }
        // Rows against the cpu kernel's candidate collection, 9 per case: greedy alone, greedy with
        // top-k, sampling with top-k (the cpu kernel finishes the first in vector code).
        int[] adversarialVocabs = {151936, 40003, 16411, 520};
        float[] adversarialAlphas = {0.1f, 1e-3f, 0.9f};
        for (int c = 0; c < 12; c++) {
            for (int mode = 0; mode < 3; mode++) {
                cases.add(new ContrastiveCase(index++, r.nextLong(), FLOATS[c % 3], layouts[c % 3],
                        Logits.ADVERSARIAL, Logits.ADVERSARIAL_BASE, 9, adversarialVocabs[c / 3],
                        adversarialAlphas[c % 3], 0.5f, mode == 0 ? 0 : 9, mode == 2 ? 0.7f : Float.NaN));
            }
        }
        int[] vocabs = {17, 1000, 4099};
        Logits[][] betaZero = {{Logits.PEAKED, Logits.INFINITE}, {Logits.MASKED, Logits.POS_INF},
            {Logits.SPARSE_POS_INF, Logits.NEG_INF}};
        Logits[][] allNegInf = {{Logits.NEG_INF, Logits.PEAKED}, {Logits.NEG_INF, Logits.NEG_INF},
            {Logits.SPARSE_POS_INF, Logits.POS_INF}};
        float[] alphas = {0.1f, 1e-3f, 1f};
        float[] extremeBetas = {0.5f, 2f, 0f};
        for (int c = 0; c < 9; c++) {
            int vocab = vocabs[c % 3];
            int topK = c % 3 == 0 ? 0 : Math.min(vocab, 12);
            float temperature = c % 3 == 2 ? 0.7f : Float.NaN;
            Logits[] kinds = betaZero[c / 3];
            cases.add(new ContrastiveCase(index++, r.nextLong(), "beta0-infinite-base", FLOATS[c % 3],
                    layouts[(c / 3) % 3], kinds[0], kinds[1], 1 + r.nextInt(5), vocab, 0.1f, 0f, topK, temperature));
        }
        for (int c = 0; c < 9; c++) {
            int vocab = vocabs[c % 3];
            Logits[] kinds = allNegInf[c / 3];
            cases.add(new ContrastiveCase(index++, r.nextLong(), "all-cd-neg-inf", FLOATS[c % 3],
                    layouts[c % 3], kinds[0], kinds[1], 1 + r.nextInt(5), vocab, 0.1f, 0.5f, Math.min(vocab, 7),
                    c % 2 == 1 ? 1.3f : Float.NaN));
        }
        for (int c = 0; c < 9; c++) {
            int vocab = vocabs[(c / 3) % 3];
            cases.add(new ContrastiveCase(index++, r.nextLong(), "extreme-logits", FLOATS[c % 3], layouts[c % 3],
                    Logits.EXTREME, Logits.EXTREME, 1 + r.nextInt(5), vocab, alphas[(c / 3) % 3],
                    extremeBetas[c % 3], c % 2 == 0 ? Math.min(vocab, 9) : 0, c % 4 == 1 ? 0.5f : Float.NaN));
        }
    }

    /** 30 cases: every weight dtype, random activation dtypes, sizes off the vector width. */
    private static void bgmvShrink(List<KernelCase> cases) {
        Random r = new Random(31);
        int[] hIns = {1, 7, 64, 100, 1000, 4096};
        int[] ranks = {1, 8, 16, 13, 64};
        for (int c = 0; c < 30; c++) {
            cases.add(new BgmvShrinkCase(c, r.nextLong(), FLOATS[r.nextInt(3)], FLOATS[c % 3],
                    c % 5 == 0 ? 1 : 1 + r.nextInt(20), 1 + r.nextInt(5), ranks[r.nextInt(ranks.length)],
                    hIns[r.nextInt(hIns.length)], 0.25f + r.nextFloat()));
        }
    }

    /** 30 cases: every v, weight and y dtype combination, into a slice at an offset. */
    private static void bgmvExpand(List<KernelCase> cases) {
        Random r = new Random(32);
        int[] hOuts = {1, 9, 128, 1000, 4096};
        int[] ranks = {1, 8, 16, 13, 64};
        for (int c = 0; c < 30; c++) {
            int hOut = hOuts[r.nextInt(hOuts.length)];
            int offset = r.nextInt(40);
            cases.add(new BgmvExpandCase(c, r.nextLong(), FLOATS[(c / 9) % 3], FLOATS[c % 3], FLOATS[(c / 3) % 3],
                    c % 5 == 0 ? 1 : 1 + r.nextInt(20), 1 + r.nextInt(5), ranks[r.nextInt(ranks.length)], hOut,
                    offset, offset + hOut + r.nextInt(30)));
        }
    }

    /**
     * 52 cases: every activation and weight dtype pair 4 times (single rows, sizes off the vector
     * width and tile), a batch against its rows alone for every weight dtype, M = 0 and K = 0;
     * then 11 with a bias, among them a batch against its rows alone and K = 0.
     */
    private static void matmul(List<KernelCase> cases) {
        Random r = new Random(17);
        int[] ks = {1, 7, 8, 33, 64, 257, 700};
        int[] ns = {1, 3, 4, 5, 31, 32, 33, 100, 130};
        int[] ms = {1, 1, 2, 3, 17, 64, 65, 130};
        for (int c = 0; c < 36; c++) {
            cases.add(new MatmulCase(c, r.nextLong(), FLOATS[(c / 3) % 3], FLOATS[c % 3], ms[r.nextInt(ms.length)],
                    ks[r.nextInt(ks.length)], ns[r.nextInt(ns.length)]));
        }
        // A batch of 67 rows against six of its rows alone, for every weight dtype; empty shapes.
        for (int c = 36; c < 39; c++) {
            cases.add(new MatmulCase(c, r.nextLong(), DType.F32, FLOATS[c % 3], 67, 100, 45, 0, 1, 2, 63, 64, 66));
        }
        cases.add(new MatmulCase(39, r.nextLong(), DType.F32, DType.F32, 0, 4, 3));
        cases.add(new MatmulCase(40, r.nextLong(), DType.F32, DType.F16, 2, 0, 3));
        // With a bias (Qwen2's q, k and v projections): every weight dtype, a batch against its rows alone, K = 0.
        Random rb = new Random(18);
        int index = 41;
        for (int c = 0; c < 9; c++) {
            cases.add(new MatmulCase(index++, rb.nextLong(), true, FLOATS[(c / 3) % 3], FLOATS[c % 3],
                    ms[rb.nextInt(ms.length)], ks[rb.nextInt(ks.length)], ns[rb.nextInt(ns.length)]));
        }
        cases.add(new MatmulCase(index++, rb.nextLong(), true, DType.F32, DType.BF16, 67, 100, 45, 0, 1, 65, 66));
        cases.add(new MatmulCase(index, rb.nextLong(), true, DType.F32, DType.F32, 3, 0, 7));
    }

    /**
     * 24 cases: rows 0, 1, odd and many, hidden sizes off the vector width (1, 7, 33, 576, 4097),
     * with and without the residual; then the edges: eps = 0, magnitudes near 1e17 (a sum of
     * squares near F32's largest), all-zero rows.
     */
    private static void rmsNorm(List<KernelCase> cases) {
        Random r = new Random(41);
        int[] hiddens = {1, 7, 33, 576, 4097, 64, 4096};
        int[] rows = {0, 1, 3, 17, 1, 70, 5};
        int index = 0;
        for (int c = 0; c < 18; c++) {
            int hidden = hiddens[c % hiddens.length];
            int n = hidden >= 4096 ? 1 + r.nextInt(3) : rows[r.nextInt(rows.length)];
            cases.add(new RmsNormCase(index++, r.nextLong(), null, RmsNormCase.Rows.GAUSSIAN, n, hidden, c % 2 == 0,
                    c % 3 == 0 ? 1e-6f : 1e-5f));
        }
        cases.add(new RmsNormCase(index++, r.nextLong(), "eps0", RmsNormCase.Rows.GAUSSIAN, 5, 33, false, 0f));
        cases.add(new RmsNormCase(index++, r.nextLong(), "eps0", RmsNormCase.Rows.GAUSSIAN, 3, 576, true, 0f));
        cases.add(new RmsNormCase(index++, r.nextLong(), "large", RmsNormCase.Rows.LARGE, 4, 4097, false, 1e-6f));
        cases.add(new RmsNormCase(index++, r.nextLong(), "large", RmsNormCase.Rows.LARGE, 3, 100, true, 1e-6f));
        cases.add(new RmsNormCase(index++, r.nextLong(), "zero-rows", RmsNormCase.Rows.ZERO_ROWS, 4, 7, false, 1e-6f));
        cases.add(new RmsNormCase(index, r.nextLong(), "zero-rows", RmsNormCase.Rows.ZERO_ROWS, 6, 576, true, 1e-5f));
    }

    /** 18 cases: rows 0, 1, odd and many, inter sizes off the vector width up to 4,097; then extreme gates. */
    private static void siluMul(List<KernelCase> cases) {
        Random r = new Random(43);
        int[] inters = {1, 7, 33, 576, 4097, 100};
        int[] rows = {0, 1, 3, 17, 1, 40};
        int index = 0;
        for (int c = 0; c < 15; c++) {
            int inter = inters[c % inters.length];
            int n = inter >= 4097 ? 1 + r.nextInt(3) : rows[r.nextInt(rows.length)];
            cases.add(new SiluMulCase(index++, r.nextLong(), false, n, inter));
        }
        cases.add(new SiluMulCase(index++, r.nextLong(), true, 7, 33));
        cases.add(new SiluMulCase(index++, r.nextLong(), true, 2, 576));
        cases.add(new SiluMulCase(index, r.nextLong(), true, 1, 4097));
    }

    /**
     * 18 cases: every table dtype (F32 for the row gather), vocabularies of 1 to 5,000, hidden
     * sizes off the vector width, rows 0 to 40; some with ids written element-wise (no host copy).
     */
    private static void embedding(List<KernelCase> cases) {
        Random r = new Random(47);
        int[] hiddens = {1, 7, 33, 576, 4097, 64};
        int[] vocabs = {1, 2, 50, 1000, 5000};
        int[] rows = {0, 1, 3, 17, 40};
        for (int c = 0; c < 18; c++) {
            int hidden = hiddens[c % hiddens.length];
            int vocab = hidden >= 4097 ? 1 + r.nextInt(30) : vocabs[r.nextInt(vocabs.length)];
            cases.add(new EmbeddingCase(c, r.nextLong(), FLOATS[c % 3], vocab, hidden, rows[r.nextInt(rows.length)],
                    c % 4 == 3));
        }
    }
}
