package herald.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** Where the key that encrypts stored secrets comes from. */
final class EncryptionKey {

    private EncryptionKey() {
    }

    static String resolve(String configured, boolean sandbox, Path dataDir) throws IOException {
        if (!configured.isBlank()) {
            return configured;
        }
        if (!sandbox) {
            throw new IllegalStateException("herald.encryption-key (environment HERALD_ENCRYPTION_KEY) is required "
                    + "outside sandbox mode: set it to a secret of at least 16 characters and keep it safe; "
                    + "stored access tokens and app secrets cannot be read without it");
        }
        // Sandbox only: a key of its own, kept beside the data it protects so restarts can read it.
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("sandbox-encryption.key");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encoded = Base64.getEncoder().encodeToString(key);
        Files.writeString(file, encoded, StandardCharsets.UTF_8);
        file.toFile().setReadable(false, false);
        file.toFile().setReadable(true, true);
        return encoded;
    }
}
