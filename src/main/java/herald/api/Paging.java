package herald.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Message;

/**
 * Reads ?page= (from 1) and ?size= (1 to 1000, default 100) into headers the SQL uses, and shapes
 * every paged answer the same way.
 */
public final class Paging {

    private Paging() {
    }

    public static void fromHeaders(Message message) {
        int page = number(message, "page", 1, 1, Integer.MAX_VALUE);
        int size = number(message, "size", 100, 1, 1000);
        message.setHeader("page", page);
        message.setHeader("pageSize", size);
        message.setHeader("pageOffset", (long) (page - 1) * size);
    }

    public static Map<String, Object> answer(int page, int size, List<?> items) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("page", page);
        answer.put("size", size);
        answer.put("items", items);
        return answer;
    }

    private static int number(Message message, String name, int fallback, int min, int max) {
        String text = message.getHeader(name, String.class);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest(name, "must be a whole number from " + min + " to " + max);
    }
}
