package dev.npukit.backend;

/**
 * A failure inside npukit that is not a bad argument: a native kernel error, a device error, an
 * unavailable backend. Bad arguments are {@link IllegalArgumentException}s naming the argument.
 */
public class NpukitException extends RuntimeException {
    public NpukitException(String message) {
        super(message);
    }

    public NpukitException(String message, Throwable cause) {
        super(message, cause);
    }
}
