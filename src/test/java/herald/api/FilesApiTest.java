package herald.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/** Attachments over HTTP: checked by type, first bytes and size, and nothing left behind when refused. */
class FilesApiTest {

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();

    private static byte[] pdf() {
        String text = """
                %PDF-1.4
                1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
                2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
                trailer << /Root 1 0 R >>
                %%EOF
                """;
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] png() {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0x25D366);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> storedFiles() {
        try (Stream<Path> files = Files.list(herald.dataDir().resolve("files"))) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long storedRows() {
        return ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM stored_file").get("n")).longValue();
    }

    private JsonNode uploadAndCheck(String name, String contentType, byte[] bytes, String mediaKind) throws IOException {
        JsonNode file = api.postBytes("/api/files?name=" + name, contentType, bytes).json(201);
        assertEquals(name, file.path("originalName").asText());
        assertEquals(contentType, file.path("contentType").asText());
        assertEquals(mediaKind, file.path("mediaKind").asText());
        assertEquals(bytes.length, file.path("sizeBytes").asLong());
        assertEquals(sha256(bytes), file.path("sha256").asText());

        long id = file.path("id").asLong();
        assertEquals(file, api.get("/api/files/" + id).json(200));
        String key = (String) herald.queryOne("SELECT file_key FROM stored_file WHERE id = ?", id).get("file_key");
        assertArrayEquals(bytes, Files.readAllBytes(herald.dataDir().resolve("files").resolve(key)), "stored as sent");
        return file;
    }

    @Test
    void uploadsPdf() throws IOException {
        uploadAndCheck("invoice.pdf", "application/pdf", pdf(), "DOCUMENT");
    }

    @Test
    void uploadsPng() throws IOException {
        uploadAndCheck("logo.png", "image/png", png(), "IMAGE");
    }

    @Test
    void pngDeclaredAsPdfIsRefused() {
        Set<String> before = storedFiles();
        long rows = storedRows();

        JsonNode error = api.postBytes("/api/files?name=logo.pdf", "application/pdf", png()).error(400);
        assertEquals("file", error.path("field").asText());
        assertTrue(error.path("message").asText().contains("application/pdf"), error::toString);
        assertEquals(before, storedFiles(), "no file left behind");
        assertEquals(rows, storedRows());
    }

    @Test
    void unsupportedTypeIsRefused() {
        Set<String> before = storedFiles();

        JsonNode error = api.postBytes("/api/files?name=archive.zip", "application/zip",
                new byte[] {'P', 'K', 3, 4, 0, 0}).error(400);
        assertEquals("Content-Type", error.path("field").asText());
        assertTrue(error.path("message").asText().contains("application/zip"), error::toString);
        assertEquals(before, storedFiles());
    }

    @Test
    void imageOverFiveMegabytesIsRefused() {
        Set<String> before = storedFiles();
        long rows = storedRows();
        byte[] header = png();
        byte[] big = new byte[5 * 1024 * 1024 + 1];
        System.arraycopy(header, 0, big, 0, header.length);

        JsonNode error = api.postBytes("/api/files?name=huge.png", "image/png", big).error(400);
        assertEquals("file", error.path("field").asText());
        assertTrue(error.path("message").asText().contains("5 MB"), error::toString);
        assertEquals(before, storedFiles(), "the partly written file is removed");
        assertEquals(rows, storedRows());
    }

    @Test
    void nameIsRequiredAndPlain() {
        assertEquals("name", api.postBytes("/api/files", "application/pdf", pdf()).error(400).path("field").asText());
        assertEquals("name", api.postBytes("/api/files?name=..%2Fescape.pdf", "application/pdf", pdf()).error(400)
                .path("field").asText());
    }

    @Test
    void unknownFileIsNotFound() {
        assertEquals("not_found", api.get("/api/files/987654321").error(404).path("code").asText());
        api.get("/api/files/abc").error(400);
    }
}
