package dev.npukit.serving.store;

/** A stored entry that must not be used: the tiers count it as a miss and remove or replace it. */
final class BadEntryException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why an entry was refused. */
    enum Reason {
        /** Wrong magic, sizes that do not add up, a truncated entry or a checksum mismatch. */
        CORRUPT,
        /** A format version this code does not read. */
        VERSION,
        /** A whole, valid entry of another key (model, dtype, block size, layers or chunk). */
        OTHER_KEY
    }

    private final Reason reason;

    BadEntryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
