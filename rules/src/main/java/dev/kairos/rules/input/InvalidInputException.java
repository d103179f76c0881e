package dev.kairos.rules.input;

/**
 * A request field is missing, of the wrong type or out of range. {@code field} is a JSON path such
 * as {@code context.location.lat} or {@code placements[2]}; {@code code} is machine-readable:
 * {@code missing_field}, {@code invalid_type}, {@code out_of_range}, {@code invalid_value},
 * {@code too_many}, {@code too_long}.
 */
public final class InvalidInputException extends RuntimeException {
    private final String field;
    private final String code;

    public InvalidInputException(String field, String code, String message) {
        super(message, null, false, false);
        this.field = field;
        this.code = code;
    }

    public String field() { return field; }
    public String code() { return code; }
}
