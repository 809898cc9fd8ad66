package herald.api;

import org.apache.camel.Message;

/** Reads ?page= (from 1) and ?size= (1 to 1000, default 100) into headers the SQL uses. */
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
