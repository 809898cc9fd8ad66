package herald.simulator;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SimulatorPartsTest {

    @Test
    void placeholdersAreReadFromTheTextsOncePerName() {
        SimTemplate named = new SimTemplate("1", "t", "en", "APPROVED", "MARKETING", "NAMED", "TEXT",
                "Hi {{ first_name }}", "{{first_name}}, {{discount}} off, {{first_name}}!");
        assertEquals(List.of("first_name"), named.headerPlaceholders());
        assertEquals(List.of("first_name", "discount"), named.bodyPlaceholders());
        SimTemplate media = new SimTemplate("2", "t", "en", "APPROVED", "UTILITY", "POSITIONAL", "IMAGE",
                "{{1}}", "No placeholders here.");
        assertEquals(List.of(), media.headerPlaceholders());
        assertEquals(List.of(), media.bodyPlaceholders());
    }

    @Test
    void templateRefusesUnknownFormats() {
        assertThrows(IllegalArgumentException.class,
                () -> new SimTemplate("1", "t", "en", "APPROVED", "UTILITY", "MIXED", "NONE", null, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> new SimTemplate("1", "t", "en", "APPROVED", "UTILITY", "POSITIONAL", "LOCATION", null, "x"));
    }

    @Test
    void slidingWindowForgetsAdmissionsOnlyOnceTheyLeaveTheWindow() {
        SlidingWindow window = new SlidingWindow();
        assertEquals(1, window.tryAdmit(0, 1_000, 2));
        assertEquals(2, window.tryAdmit(500, 1_000, 2));
        assertEquals(-1, window.tryAdmit(999, 1_000, 2));
        assertEquals(2, window.tryAdmit(1_000, 1_000, 2));
        assertEquals(-1, window.tryAdmit(1_499, 1_000, 2));
    }

    @Test
    void multipartKeepsBinaryContentExactly() {
        byte[] binary = {0, '\r', '\n', '-', '-', (byte) 0xff};
        byte[] body = concat("--b1\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage/png\r\n"
                        + "--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n",
                binary, "\r\n--b1--\r\n");
        Map<String, byte[]> parts = Multipart.parse("multipart/form-data; boundary=\"b1\"", body);
        assertEquals("image/png", new String(parts.get("type"), StandardCharsets.US_ASCII));
        assertArrayEquals(binary, parts.get("file"));
    }

    @Test
    void multipartRefusesMalformedBodies() {
        assertThrows(IllegalArgumentException.class, () -> Multipart.parse("application/json", new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> Multipart.parse("multipart/form-data; boundary=b1", "--b1\r\nno end".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IllegalArgumentException.class, () -> Multipart.parse("multipart/form-data; boundary=b1",
                "--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n--b1--".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void configRefusesAHalfConfiguredWebhook() {
        assertThrows(IllegalArgumentException.class,
                () -> SimulatorConfig.builder().webhook(java.net.URI.create("http://127.0.0.1:1/w"), null).build());
        assertThrows(IllegalArgumentException.class, () -> SimulatorConfig.builder().serverErrorShare(1.1));
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] a = head.getBytes(StandardCharsets.US_ASCII);
        byte[] c = tail.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }
}
