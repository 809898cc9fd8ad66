package herald.api;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;

/** Turns any failure of an /api route into Herald's one error shape with the right HTTP status. */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {
    }

    public static void respond(Exchange exchange) throws JsonProcessingException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException api = toApiException(failure);
        exchange.getMessage().setHeaders(new LinkedHashMap<>());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, api.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (api.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Basic realm=\"Herald\"");
        }
        if (api instanceof MethodNotAllowedException refused) {
            exchange.getMessage().setHeader("Allow", refused.allow());
        }
        exchange.getMessage().setBody(JSON.writeValueAsString(shape(api)));
    }

    /** The error shape for a failure outside HTTP, e.g. the error file of a rejected inbox file. */
    public static Map<String, Object> shape(Throwable failure) {
        return shape(toApiException(failure));
    }

    private static Map<String, Object> shape(ApiException api) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", api.code());
        error.put("message", api.getMessage());
        if (api.field() != null) {
            error.put("field", api.field());
        }
        if (api.details() != null) {
            error.put("details", api.details());
        }
        if (api.total() != null) {
            error.put("total", api.total());
        }
        return Map.of("error", error);
    }

    static ApiException toApiException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
            if (t instanceof JsonProcessingException json) {
                return new ApiException(400, "invalid_json", "the request body is not valid JSON: "
                        + json.getOriginalMessage(), null, null);
            }
            if (t instanceof org.apache.camel.TypeConversionException conversion) {
                return ApiException.badRequest(null, "a path or query parameter has the wrong type: '"
                        + conversion.getValue() + "' is not a " + conversion.getToType().getSimpleName());
            }
            if (t instanceof org.apache.camel.NoTypeConversionAvailableException) {
                return new ApiException(415, "unsupported_media_type",
                        "send the request body as JSON with 'Content-Type: application/json'", null, null);
            }
            if (t instanceof DuplicateKeyException) {
                return ApiException.conflict("a record with the same unique name or identity already exists");
            }
        }
        LOG.error("Unexpected failure in an API call", failure);
        return new ApiException(500, "internal_error", "Herald could not complete the request; the cause is in its log",
                null, null);
    }
}
