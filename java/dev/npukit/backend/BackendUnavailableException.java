package dev.npukit.backend;

/** Thrown when a backend is asked for but cannot run here; the message says why. */
public final class BackendUnavailableException extends NpukitException {
    /**
     * An unavailable backend.
     *
     * @param message which backend, and why it cannot run
     */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /**
     * An unavailable backend, from an underlying failure.
     *
     * @param message which backend, and why it cannot run
     * @param cause the failure (a native library that did not load, a bad setting)
     */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
