package herald.api;

import java.util.List;

/** An error the API answers with its own status and Herald's one JSON error shape. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;
    private final transient List<?> details;
    private final Long total;

    public ApiException(int status, String code, String message, String field, List<?> details) {
        this(status, code, message, field, details, null);
    }

    private ApiException(int status, String code, String message, String field, List<?> details, Long total) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
        this.details = details;
        this.total = total;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "invalid_input", field == null ? message : field + ": " + message, field, null);
    }

    public static ApiException invalid(String message, List<?> details) {
        return new ApiException(400, "validation_failed", message, null, details);
    }

    /** A validation failure whose details hold only the first of {@code total} problems. */
    public static ApiException invalid(String message, List<?> details, long total) {
        return new ApiException(400, "validation_failed", message, null, details, total);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " does not exist", null, null);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message, null, null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public List<?> details() {
        return details;
    }

    /** How many problems there are in all when details lists only the first; null when it lists them all. */
    public Long total() {
        return total;
    }
}
