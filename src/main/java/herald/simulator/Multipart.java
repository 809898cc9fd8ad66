package herald.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of multipart/form-data (RFC 7578) to read a media upload. */
final class Multipart {

    private static final Pattern BOUNDARY = Pattern.compile("boundary=(\"([^\"]+)\"|[^;\\s]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private Multipart() {
    }

    /** Part contents by field name; throws IllegalArgumentException when the body is not well formed. */
    static Map<String, byte[]> parse(String contentType, byte[] body) {
        Matcher boundaryMatch = contentType == null ? null : BOUNDARY.matcher(contentType);
        if (boundaryMatch == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")
                || !boundaryMatch.find()) {
            throw new IllegalArgumentException("not multipart/form-data with a boundary");
        }
        String boundary = boundaryMatch.group(2) != null ? boundaryMatch.group(2) : boundaryMatch.group(1);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);

        Map<String, byte[]> parts = new HashMap<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalArgumentException("no opening boundary");
        }
        at += delimiter.length;
        while (true) {
            if (startsWith(body, at, "--")) {
                return parts;
            }
            if (!startsWith(body, at, "\r\n")) {
                throw new IllegalArgumentException("boundary not followed by CRLF");
            }
            int headersStart = at + 2;
            int headersEnd = indexOf(body, HEADER_END, headersStart);
            int end = headersEnd < 0 ? -1 : indexOf(body, nextDelimiter, headersEnd + HEADER_END.length);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated part");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            parts.put(fieldName(headers), Arrays.copyOfRange(body, headersEnd + HEADER_END.length, end));
            at = end + nextDelimiter.length;
        }
    }

    private static String fieldName(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                Matcher name = NAME.matcher(line);
                if (name.find()) {
                    return name.group(1);
                }
            }
        }
        throw new IllegalArgumentException("part without a name");
    }

    private static boolean startsWith(byte[] body, int at, String ascii) {
        if (at + ascii.length() > body.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (body[at + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
