package topksae.spark;

/**
 * An input row that handleInvalid=error refuses; its message is the one line a user needs (row,
 * input partition, file when known, column, problem, fix). {@link TopKSAEEstimator#fit} unwraps it
 * from Spark's task failure so callers (the job, Python) see this message first.
 */
public class InvalidRowException extends IllegalArgumentException {
    public InvalidRowException(String message) {
        super(message);
    }

    public InvalidRowException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The first InvalidRowException in t's cause chain, or null. */
    static InvalidRowException find(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof InvalidRowException e) {
                return e;
            }
        }
        return null;
    }
}
