package herald.api;

/** Thrown by routes (throwException) when a guarded update found the record already changed. */
public class ConflictException extends ApiException {

    public ConflictException(String message) {
        super(409, "conflict", message, null, null);
    }
}
