package herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {

    private static String encoded;

    @BeforeAll
    static void hashOnce() {
        encoded = PasswordHasher.hash("s3cret pässword".toCharArray());
    }

    @Test
    void hashHasDocumentedEncoding() {
        String[] parts = encoded.split("\\$");
        assertEquals(4, parts.length);
        assertEquals("pbkdf2", parts[0]);
        assertEquals("100000", parts[1]);
        assertEquals(16, Base64.getDecoder().decode(parts[2]).length);
        assertEquals(32, Base64.getDecoder().decode(parts[3]).length);
    }

    @Test
    void matchesTheRightPasswordOnly() {
        assertTrue(PasswordHasher.matches("s3cret pässword".toCharArray(), encoded));
        assertFalse(PasswordHasher.matches("s3cret password".toCharArray(), encoded));
        assertFalse(PasswordHasher.matches("".toCharArray(), encoded));
        assertFalse(PasswordHasher.matches(null, encoded));
    }

    @Test
    void samePasswordGetsDifferentSalts() {
        String again = PasswordHasher.hash("s3cret pässword".toCharArray());
        assertNotEquals(encoded, again);
        assertTrue(PasswordHasher.matches("s3cret pässword".toCharArray(), again));
    }

    @Test
    void hashMadeWithAnotherIterationCountStillVerifies() throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
            .generateSecret(new PBEKeySpec("old".toCharArray(), salt, 1000, 256)).getEncoded();
        String old = "pbkdf2$1000$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(hash);
        assertTrue(PasswordHasher.matches("old".toCharArray(), old));
        assertFalse(PasswordHasher.matches("new".toCharArray(), old));
    }

    @Test
    void changingTheIterationCountBreaksTheMatch() {
        String[] parts = encoded.split("\\$");
        String fewer = parts[0] + "$99999$" + parts[2] + "$" + parts[3];
        assertFalse(PasswordHasher.matches("s3cret pässword".toCharArray(), fewer),
            "the count is part of the hash, so changing it must break the match");
    }

    @Test
    void emptyPasswordCanBeHashed() {
        assertTrue(PasswordHasher.matches(new char[0], PasswordHasher.hash(new char[0])));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "pbkdf2$100000$c2FsdA==",
        "bcrypt$100000$c2FsdA==$aGFzaA==",
        "pbkdf2$lots$c2FsdA==$aGFzaA==",
        "pbkdf2$0$c2FsdA==$aGFzaA==",
        "pbkdf2$1000001$c2FsdA==$aGFzaA==",
        "pbkdf2$100000$!!$aGFzaA==",
        "pbkdf2$100000$$aGFzaA==",
        "pbkdf2$100000$c2FsdA==$aGFzaA==",
        "pbkdf2$100000$c2FsdA==$aGFzaA==$extra",
    })
    void malformedEncodingNeverMatches(String malformed) {
        assertFalse(PasswordHasher.matches("s3cret pässword".toCharArray(), malformed));
    }

    @Test
    void nullEncodingNeverMatches() {
        assertFalse(PasswordHasher.matches("x".toCharArray(), null));
    }

    @Test
    void sha256HexOfKnownInputs() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", PasswordHasher.sha256Hex(""));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PasswordHasher.sha256Hex("abc"));
    }

    @Test
    void tokensArePrefixedUrlSafeAndUnique() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String token = PasswordHasher.newToken();
            assertTrue(token.matches("hrld_[A-Za-z0-9_-]{43}"), token);
            assertEquals(32, Base64.getUrlDecoder().decode(token.substring(5)).length);
            tokens.add(token);
        }
        assertEquals(50, tokens.size());
    }
}
