package dev.kairos.rules.policy.internal;

/** A refusal at one position of the checked text (an offset into it). */
public final class PolicyException extends RuntimeException {
    private final int offset;
    private final String kind;

    public PolicyException(int offset, String message) {
        this(offset, "forbidden", message);
    }

    public PolicyException(int offset, String kind, String message) {
        super(message, null, false, false);
        this.offset = offset;
        this.kind = kind;
    }

    public int offset() { return offset; }

    public String kind() { return kind; }
}
