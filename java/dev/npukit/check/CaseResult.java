package dev.npukit.check;

import dev.npukit.tensor.DType;

/**
 * One case on one backend against the reference.
 *
 * @param name the case's name
 * @param kernel its kernel family
 * @param dtype its lowest-precision float dtype
 * @param error {@link KernelCheck#relativeError} of its worst output (0 when bit-equal; infinite when
 *     the outputs differ in shape, in NaN or in an infinity)
 * @param bound the bound it is held to, 0 for bit-exact
 * @param message null when it passed, else what differs or what the backend threw
 */
public record CaseResult(String name, String kernel, DType dtype, double error, double bound, String message) {
    /**
     * Whether the case passed.
     *
     * @return true when {@link #message()} is null
     */
    public boolean passed() {
        return message == null;
    }
}
