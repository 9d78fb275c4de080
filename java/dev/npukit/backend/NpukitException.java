package dev.npukit.backend;

/**
 * A failure inside npukit that is not a bad argument: a native kernel error, a device error, an
 * unavailable backend. Bad arguments are {@link IllegalArgumentException}s naming the argument.
 */
public class NpukitException extends RuntimeException {
    /**
     * A failure.
     *
     * @param message what failed, with the native message where there is one
     */
    public NpukitException(String message) {
        super(message);
    }

    /**
     * A failure with an underlying cause.
     *
     * @param message what failed
     * @param cause the underlying failure
     */
    public NpukitException(String message, Throwable cause) {
        super(message, cause);
    }
}
