package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.tensor.DType;
import java.util.Map;

/**
 * One named kernel problem of the registry ({@link KernelCases#all()}): its parameters are fixed
 * at construction, its input data is generated from {@link #seed()} on every {@link #run}, so the
 * same case builds the same inputs on any backend. {@link KernelCheck} compares a backend's
 * outputs with the reference's within {@link #bound()} (docs/kernels.md, equality between
 * backends).
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
     * @param bound 0 for a bit-exact kernel, else the largest max |x - ref| / max |ref| allowed
     * @param params the shapes and options, for the name
     */
    protected KernelCase(String kernel, int index, long seed, DType dtype, double bound, String params) {
        this.kernel = kernel;
        this.name = String.format("%s/%03d %s", kernel, index, params);
        this.seed = seed;
        this.dtype = dtype;
        this.bound = bound;
    }

    /** Runs the case on {@code backend} from freshly built inputs; returns every output by name, ints as floats. */
    public abstract Map<String, float[]> run(Backend backend);

    /** The dtype an output is stored in (F32 unless a case says otherwise); see {@link KernelCheck#relativeError}. */
    public DType outputType(String output) {
        return DType.F32;
    }

    /** "attention/017 cache=F16 q=BF16 ...": unique in the registry; {@code npukit check --filter} matches it. */
    public String name() {
        return name;
    }

    public String kernel() {
        return kernel;
    }

    public long seed() {
        return seed;
    }

    public DType dtype() {
        return dtype;
    }

    public double bound() {
        return bound;
    }

    public boolean bitExact() {
        return bound == 0;
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * The bound of a kernel with a reduction (docs/kernels.md): 1e-5 when every float tensor is
     * F32, 2e-3 when any is F16 or BF16.
     */
    static double reductionBound(DType loosest) {
        return loosest == DType.F32 ? 1e-5 : 2e-3;
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
