package dev.kairos.feedback.store;

/**
 * A read query ran longer than the query timeout and the database cancelled it, or no read
 * connection freed up within that time. The API answers it with 503 {@code query_timeout}: a
 * narrower window or a later retry may succeed.
 */
public class QueryTimeoutException extends StoreException {
    public QueryTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
