package herald.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import herald.api.ApiException;
import herald.api.Views;
import org.apache.camel.Header;

/**
 * Keeps uploaded attachments under the data folder, streamed to disk, checked against the media
 * types and sizes Meta accepts (reference §4) and against their own first bytes.
 */
public class FileStore {

    /** A type Meta accepts: the header kind it can fill, its size limit and its leading bytes. */
    private record MediaType(String kind, long maxBytes, byte[] magic, int magicOffset) {
    }

    private static final long MB = 1024L * 1024L;
    private static final Map<String, MediaType> TYPES = Map.ofEntries(
            Map.entry("image/jpeg", new MediaType("IMAGE", 5 * MB, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, 0)),
            Map.entry("image/png", new MediaType("IMAGE", 5 * MB, new byte[] {(byte) 0x89, 'P', 'N', 'G'}, 0)),
            Map.entry("video/mp4", new MediaType("VIDEO", 16 * MB, new byte[] {'f', 't', 'y', 'p'}, 4)),
            Map.entry("video/3gpp", new MediaType("VIDEO", 16 * MB, new byte[] {'f', 't', 'y', 'p'}, 4)),
            Map.entry("application/pdf", new MediaType("DOCUMENT", 100 * MB, new byte[] {'%', 'P', 'D', 'F'}, 0)),
            Map.entry("application/msword", new MediaType("DOCUMENT", 100 * MB, null, 0)),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    new MediaType("DOCUMENT", 100 * MB, null, 0)),
            Map.entry("application/vnd.ms-excel", new MediaType("DOCUMENT", 100 * MB, null, 0)),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    new MediaType("DOCUMENT", 100 * MB, null, 0)),
            Map.entry("application/vnd.ms-powerpoint", new MediaType("DOCUMENT", 100 * MB, null, 0)),
            Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    new MediaType("DOCUMENT", 100 * MB, null, 0)),
            Map.entry("text/plain", new MediaType("DOCUMENT", 100 * MB, null, 0)));

    private final Path dir;

    public FileStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Path path(String fileKey) {
        return dir.resolve(fileKey);
    }

    /** Streams the upload to disk and answers the columns of its stored_file row. */
    public Map<String, Object> store(InputStream body, @Header("name") String name,
                                     @Header("Content-Type") String contentType) throws IOException {
        if (name == null || name.isBlank() || name.length() > 300 || name.contains("/") || name.contains("\\")) {
            throw ApiException.badRequest("name", "the ?name= query parameter must give the original file name "
                    + "(at most 300 characters, no path)");
        }
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        MediaType media = TYPES.get(type);
        if (media == null) {
            throw ApiException.badRequest("Content-Type", "'" + type + "' is not a media type WhatsApp accepts; use one of "
                    + new java.util.TreeSet<>(TYPES.keySet()));
        }
        if (body == null) {
            throw ApiException.badRequest(null, "the request body (the file) is empty");
        }
        String key = UUID.randomUUID().toString();
        Path target = dir.resolve(key);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        byte[] head = new byte[16];
        int headLength = 0;
        try (InputStream in = body; OutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (headLength < head.length) {
                    int take = Math.min(n, head.length - headLength);
                    System.arraycopy(buffer, 0, head, headLength, take);
                    headLength += take;
                }
                size += n;
                if (size > media.maxBytes()) {
                    throw ApiException.badRequest("file", type + " files may be at most " + media.maxBytes() / MB
                            + " MB for WhatsApp (reference §4)");
                }
                out.write(buffer, 0, n);
            }
            if (size == 0) {
                throw ApiException.badRequest("file", "is empty");
            }
            if (!startsWith(head, headLength, media)) {
                throw ApiException.badRequest("file", "its content is not " + type + " (its first bytes do not match)");
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("fileKey", key);
        row.put("originalName", name.trim());
        row.put("contentType", type);
        row.put("mediaKind", media.kind());
        row.put("sizeBytes", size);
        row.put("sha256", HexFormat.of().formatHex(sha.digest()));
        return row;
    }

    private static boolean startsWith(byte[] head, int length, MediaType media) {
        if (media.magic() == null) {
            return true;
        }
        if (length < media.magicOffset() + media.magic().length) {
            return false;
        }
        for (int i = 0; i < media.magic().length; i++) {
            if (head[media.magicOffset() + i] != media.magic()[i]) {
                return false;
            }
        }
        return true;
    }

    public Map<String, Object> view(Map<String, Object> row) {
        if (row == null) {
            throw ApiException.notFound("File");
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("originalName", row.get("original_name"));
        view.put("contentType", row.get("content_type"));
        view.put("mediaKind", row.get("media_kind"));
        view.put("sizeBytes", row.get("size_bytes"));
        view.put("sha256", row.get("sha256"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        return view;
    }
}
