package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.tensor.DType;
import java.util.Map;

/**
 * One named kernel problem of the registry ({@link KernelCases#all()}): its parameters are fixed
 * at construction, its input data is generated from {@link #seed()} on every {@link #run}, so the
 * same case builds the same inputs on any backend. {@link KernelCheck} compares a backend's
 * outputs with the reference's within {@link #bound()} (docs/kernels.md, equality between
 * backends), and holds the outputs of both to {@link #check}, what the kernel's contract says of
 * them on its own (untouched rows, skipped slots, rows independent of their batch).
 */
public abstract class KernelCase {
    private final String kernel;
    private final String name;
    private final long seed;
    private final DType dtype;
    private final double bound;

    /**
     * @param kernel the kernel family ("attention", "writeKv", ...)
     * @param index the case's number within its family
     * @param seed the seed of the case's input data
     * @param dtype the lowest-precision float dtype the case uses (it picks the bound)
     * @param bound 0 for a bit-exact kernel, else the largest relative error allowed ({@link KernelCheck#relativeError})
     * @param params the shapes and options, for the name
     */
    protected KernelCase(String kernel, int index, long seed, DType dtype, double bound, String params) {
        this.kernel = kernel;
        this.name = String.format("%s/%03d %s", kernel, index, params);
        this.seed = seed;
        this.dtype = dtype;
        this.bound = bound;
    }

    /**
     * Runs the case on a backend from freshly built inputs.
     *
     * @param backend the backend that runs the kernel
     * @return every output by name, in a fixed order; integer outputs as floats (exact: they stay below 2^24)
     * @throws RuntimeException whatever the backend throws; a case is valid input, so that is a failure
     */
    public abstract Map<String, float[]> run(Backend backend);

    /**
     * The dtype an output is stored in (F32 unless a case says otherwise); see {@link KernelCheck#relativeError}.
     *
     * @param output an output name that {@link #run} returns
     * @return the dtype the backend stored it in
     */
    public DType outputType(String output) {
        return DType.F32;
    }

    /**
     * The size of the terms summed into each output, for a kernel whose sums can cancel: the
     * reference's outputs for this case with every summed term made non-negative (absolute inputs
     * and scale for BGMV and matmul, absolute values for attention, whose softmax weights are never
     * negative). Where terms cancel, an output is far smaller than its terms, and summing them in
     * another order moves it by a rounding of the terms, not of the output; the bound is therefore
     * relative to the larger of these and the outputs themselves ({@link KernelCheck#relativeError}).
     *
     * @param reference the reference backend
     * @return the outputs of the absolute terms, by the names {@link #run} uses; null (the default)
     *     where no sum can cancel, and the outputs alone set the scale
     */
    public Map<String, float[]> termMagnitudes(Backend reference) {
        return null;
    }

    /**
     * What the kernel's contract says of these outputs on their own, whichever backend produced
     * them (the reference included): bit-exact facts computed from the case's inputs, such as a
     * cache slot no token names keeping its data. No check by default.
     *
     * @param outputs the outputs {@link #run} returned on some backend
     * @return null when they hold, else the first violation, naming the output and the element
     */
    public String check(Map<String, float[]> outputs) {
        return null;
    }

    /**
     * The case's name, unique in the registry; {@code npukit check --filter REGEX} finds it in it.
     *
     * @return "attention/017 cache=F16 q=BF16 ...": family, number, then the parameters; an edge
     *     case's parameters start with "edge=" and what it exercises
     */
    public String name() {
        return name;
    }

    /**
     * The kernel family.
     *
     * @return "attention", "writeKv", "rope", "contrastive", "bgmvShrink", "bgmvExpand", "matmul", "rmsNorm",
     *     "siluMul" or "embedding"
     */
    public String kernel() {
        return kernel;
    }

    /**
     * The seed of the case's input data.
     *
     * @return the seed every {@link #run} builds its inputs from
     */
    public long seed() {
        return seed;
    }

    /**
     * The lowest-precision float dtype the case uses.
     *
     * @return F32, F16 or BF16; it picks the bound of a kernel with a reduction
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The bound the case is held to.
     *
     * @return 0 for a bit-exact kernel, else the largest relative error allowed ({@link KernelCheck#relativeError})
     */
    public double bound() {
        return bound;
    }

    /**
     * Whether the outputs must equal the reference's bit for bit.
     *
     * @return true when {@link #bound()} is 0
     */
    public boolean bitExact() {
        return bound == 0;
    }

    @Override
    public String toString() {
        return name;
    }

    /** {@link KernelCheck#reductionBound}, for the cases' constructors. */
    static double reductionBound(DType loosest) {
        return KernelCheck.reductionBound(loosest);
    }

    /** The lowest-precision float dtype of {@code types}: BF16 (8-bit mantissa), then F16, then F32. */
    static DType loosest(DType... types) {
        DType worst = DType.F32;
        for (DType t : types) {
            if (t == DType.BF16 || (t == DType.F16 && worst == DType.F32)) {
                worst = t;
            }
        }
        return worst;
    }
}
