package dev.kairos.feedback.store;

/** The store could not read or write (database down, constraint broken). Retrying may help. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
