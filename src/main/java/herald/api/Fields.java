package herald.api;

import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads and checks one field of a request body, naming the field in every error. */
public final class Fields {

    private static final Pattern DIGITS = Pattern.compile("\\d{1,40}");

    private final Map<String, Object> body;

    public Fields(Map<String, Object> body) {
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON object body is required");
        }
        this.body = body;
    }

    public boolean has(String field) {
        return body.containsKey(field) && body.get(field) != null;
    }

    public Object raw(String field) {
        return body.get(field);
    }

    public String text(String field, boolean required, int maxLength) {
        Object value = body.get(field);
        if (value == null || value.toString().isBlank()) {
            if (required) {
                throw ApiException.badRequest(field, "is required");
            }
            return null;
        }
        if (!(value instanceof String) && !(value instanceof Number)) {
            throw ApiException.badRequest(field, "must be a string");
        }
        String text = value.toString().trim();
        if (text.length() > maxLength) {
            throw ApiException.badRequest(field, "must be at most " + maxLength + " characters");
        }
        return text;
    }

    public String digits(String field, boolean required) {
        String text = text(field, required, 40);
        if (text != null && !DIGITS.matcher(text).matches()) {
            throw ApiException.badRequest(field, "must contain digits only, as Meta shows it");
        }
        return text;
    }

    public String url(String field, String fallback) {
        String text = text(field, false, 300);
        if (text == null) {
            return fallback;
        }
        try {
            URI uri = URI.create(text);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw ApiException.badRequest(field, "must be an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, "must be an http(s) URL");
        }
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    public int integer(String field, int fallback, int min, int max) {
        Object value = body.get(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
            throw ApiException.badRequest(field, "must be a whole number");
        }
        long n = number.longValue();
        if (n < min || n > max) {
            throw ApiException.badRequest(field, "must be between " + min + " and " + max);
        }
        return (int) n;
    }

    public boolean bool(String field, boolean fallback) {
        Object value = body.get(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw ApiException.badRequest(field, "must be true or false");
        }
        return b;
    }

    public <E extends Enum<E>> E choice(String field, Class<E> type, E fallback) {
        String text = text(field, fallback == null, 40);
        if (text == null) {
            return fallback;
        }
        String normalised = text.toUpperCase().replace(' ', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(normalised)) {
                return constant;
            }
        }
        throw ApiException.badRequest(field, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                + ", not '" + text + "'");
    }
}
