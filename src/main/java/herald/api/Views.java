package herald.api;

import java.sql.Timestamp;
import java.time.OffsetDateTime;

/** Small conversions shared by the answers of every document. */
public final class Views {

    private Views() {
    }

    /** A stored timestamp as ISO-8601 in UTC, whichever database and driver type it came from. */
    public static String instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Timestamp ts) {
            return ts.toInstant().toString();
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant().toString();
        }
        return value.toString();
    }
}
