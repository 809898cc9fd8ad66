package herald.api;

/** Thrown by routes (throwException) when the record a path names does not exist. */
public class NotFoundException extends ApiException {

    public NotFoundException(String what) {
        super(404, "not_found", what + " does not exist", null, null);
    }
}
