package herald.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts access tokens and app secrets at rest with AES-256-GCM. A {@link Cipher} is made per call
 * because Cipher instances are not thread-safe, while the key and the random source are.
 */
public final class SecretCipher {

    // The version prefix leaves room to change algorithm or key derivation without guessing.
    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MIN_KEY_CHARS = 16;
    private static final String MASK = "••••";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    public SecretCipher(String key) {
        if (key == null || key.length() < MIN_KEY_CHARS) {
            throw new IllegalArgumentException("herald.encryption-key must be at least " + MIN_KEY_CHARS + " characters");
        }
        this.key = new SecretKeySpec(sha256(key.getBytes(StandardCharsets.UTF_8)), "AES");
    }

    public String encrypt(String plain) {
        if (plain == null) {
            return null;
        }
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, iv);
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] stored = ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
            return PREFIX + Base64.getEncoder().encodeToString(stored);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption is unavailable", e);
        }
    }

    public String decrypt(String stored) {
        if (stored == null) {
            return null;
        }
        byte[] raw = decode(stored);
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(raw, IV_BYTES));
            byte[] plain = cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("stored secret cannot be decrypted with the configured herald.encryption-key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption is unavailable", e);
        }
    }

    /** Enough to recognise a secret in the UI; short secrets would give too much away. */
    public static String mask(String secret) {
        if (secret == null) {
            return null;
        }
        return secret.length() >= 12 ? MASK + secret.substring(secret.length() - 4) : MASK;
    }

    private static byte[] decode(String stored) {
        byte[] raw = null;
        if (stored.startsWith(PREFIX)) {
            try {
                raw = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            } catch (IllegalArgumentException e) {
                // reported below, without echoing the stored value
            }
        }
        if (raw == null || raw.length < IV_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("stored secret is not in the v1 encrypted format");
        }
        return raw;
    }

    private Cipher cipher(int mode, byte[] iv) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        return cipher;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
