package herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretCipherTest {

    private static final String KEY = "correct horse battery staple";
    private static final String TOKEN = "EAAGm0PX4ZCpsBAKZCZAh9ZBtQ1234";

    private final SecretCipher cipher = new SecretCipher(KEY);

    @ParameterizedTest
    @ValueSource(strings = {TOKEN, "", "ünïcødé ✓ secret", "x"})
    void roundTrips(String plain) {
        String stored = cipher.encrypt(plain);
        assertTrue(stored.startsWith("v1:"), stored);
        assertEquals(plain, cipher.decrypt(stored));
        assertEquals(plain, new SecretCipher(KEY).decrypt(stored), "same key string gives the same key");
    }

    @Test
    void storedFormIsIvThenCiphertextAndTag() {
        assertFalse(cipher.encrypt(TOKEN).contains(TOKEN));
        byte[] raw = Base64.getDecoder().decode(cipher.encrypt(TOKEN).substring(3));
        assertEquals(12 + TOKEN.length() + 16, raw.length);
    }

    @Test
    void freshIvEachTime() {
        Set<String> stored = new HashSet<>();
        Set<String> ivs = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String s = cipher.encrypt(TOKEN);
            stored.add(s);
            ivs.add(Arrays.toString(Arrays.copyOf(Base64.getDecoder().decode(s.substring(3)), 12)));
        }
        assertEquals(20, stored.size());
        assertEquals(20, ivs.size());
    }

    @Test
    void wrongKeyFailsWithoutLeakingAnything() {
        String stored = cipher.encrypt(TOKEN);
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> new SecretCipher("another key of enough length").decrypt(stored));
        assertEquals("stored secret cannot be decrypted with the configured herald.encryption-key", e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void tamperedCiphertextFails() {
        byte[] raw = Base64.getDecoder().decode(cipher.encrypt(TOKEN).substring(3));
        raw[14] ^= 1;
        String tampered = "v1:" + Base64.getEncoder().encodeToString(raw);
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(tampered));
    }

    @ParameterizedTest
    @ValueSource(strings = {TOKEN, "v2:AAAA", "v1:not base64!", "v1:", "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void malformedStoredValueIsRejectedWithoutEchoingIt(String stored) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored));
        assertEquals("stored secret is not in the v1 encrypted format", e.getMessage());
    }

    @Test
    void nullPassesThrough() {
        assertNull(cipher.encrypt(null));
        assertNull(cipher.decrypt(null));
    }

    @Test
    void keyMustHaveSixteenCharactersAndIsNeverEchoed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SecretCipher("short-key-15chr"));
        assertEquals("herald.encryption-key must be at least 16 characters", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(null));
        assertEquals("abc", new SecretCipher("sixteen-chars-ok").decrypt(new SecretCipher("sixteen-chars-ok").encrypt("abc")));
    }

    @Test
    void oneInstanceIsSafeAcrossThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String plain = "secret-" + i;
                results.add(pool.submit(() -> cipher.decrypt(cipher.encrypt(plain))));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals("secret-" + i, results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void maskShowsLastFourOnlyOfLongSecrets() {
        assertEquals("••••1234", SecretCipher.mask(TOKEN));
        assertEquals("••••9012", SecretCipher.mask("123456789012"));
        assertEquals("••••", SecretCipher.mask("12345678901"));
        assertEquals("••••", SecretCipher.mask(""));
        assertNull(SecretCipher.mask(null));
        assertNotEquals(SecretCipher.mask(TOKEN), SecretCipher.mask(TOKEN + "5"));
    }
}
