package herald.whatsapp;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The {@code X-Hub-Signature-256} header of Meta's webhooks: HMAC-SHA256 of the raw body keyed
 * with the app secret (reference §6). The raw bytes matter: re-serialised JSON would not match.
 */
public final class WebhookSignature {

    private static final String PREFIX = "sha256=";
    private static final int HEX_LENGTH = 64;

    private WebhookSignature() {
    }

    public static String sign(String appSecret, byte[] rawBody) {
        return PREFIX + HexFormat.of().formatHex(hmac(appSecret, rawBody));
    }

    public static boolean verify(String appSecret, byte[] rawBody, String headerValue) {
        if (appSecret == null || appSecret.isEmpty() || rawBody == null || headerValue == null
                || !headerValue.startsWith(PREFIX) || headerValue.length() != PREFIX.length() + HEX_LENGTH) {
            return false;
        }
        byte[] claimed;
        try {
            claimed = HexFormat.of().parseHex(headerValue, PREFIX.length(), headerValue.length());
        } catch (IllegalArgumentException e) {
            return false;
        }
        // isEqual takes the same time wherever the first differing byte is, so timing leaks nothing.
        return MessageDigest.isEqual(hmac(appSecret, rawBody), claimed);
    }

    private static byte[] hmac(String appSecret, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(rawBody);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform ships HmacSHA256", e);
        }
    }
}
