package herald.webhooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import herald.domain.SecretCipher;
import herald.whatsapp.WebhookSignature;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.apache.camel.support.CamelContextHelper;

/**
 * Decides whether a request to /webhooks/whatsapp comes from Meta: the subscription handshake
 * (GET, verify token) and the signature of every POST (app secret of each account it names).
 * Secrets are decrypted only to compare them and never appear in a refusal.
 */
public final class WebhookReceiver implements CamelContextAware {

    public static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    // Meta's challenges are short numbers; a cap keeps the echo from being used to reflect content.
    private static final int MAX_CHALLENGE = 256;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CamelContext context;

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    // Looked up on use: YAML beans are made while the routes are pre-parsed, before
    // HeraldConfiguration has bound secretCipher.
    private SecretCipher cipher() {
        return CamelContextHelper.mandatoryLookup(context, "secretCipher", SecretCipher.class);
    }

    /**
     * The subscription handshake (reference §6): the challenge, when the mode is subscribe and
     * the token is the verify token of an active account.
     *
     * @param verifyTokens rows with {@code verify_token_enc} of the active accounts
     */
    public String challenge(@Header("hub.mode") String mode, @Header("hub.verify_token") String token,
                            @Header("hub.challenge") String challenge,
                            @Variable("verifyTokens") List<Map<String, Object>> verifyTokens) {
        if (!"subscribe".equals(mode)) {
            throw new WebhookRefusal(403, "hub.mode must be subscribe");
        }
        if (token == null || token.isEmpty()) {
            throw new WebhookRefusal(403, "hub.verify_token is missing");
        }
        byte[] offered = token.getBytes(StandardCharsets.UTF_8);
        SecretCipher cipher = cipher();
        boolean matches = false;
        for (Map<String, Object> row : verifyTokens) {
            String stored = cipher.decrypt((String) row.get("verify_token_enc"));
            // Every candidate is compared, in constant time, so the answer's timing tells nothing.
            matches |= stored != null && MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8), offered);
        }
        if (!matches) {
            throw new WebhookRefusal(403, "hub.verify_token is not the verify token of any active WhatsApp Account");
        }
        if (challenge == null || challenge.isEmpty()) {
            throw new WebhookRefusal(400, "hub.challenge is missing");
        }
        if (challenge.length() > MAX_CHALLENGE) {
            throw new WebhookRefusal(400, "hub.challenge is longer than " + MAX_CHALLENGE + " characters");
        }
        return challenge;
    }

    /**
     * Checks a POST and answers its body as JSON text, ready to be stored. Every entry must be
     * signed with the app secret of an account that owns its WABA id or one of its phone number
     * ids: a payload naming two accounts cannot ride on the secret of only one of them.
     *
     * <p>The app secret is found through the accounts the body names, so a body that cannot be
     * read, or names no account Herald knows, has no secret to be checked against: 401, like any
     * other unsigned request. Only a caller whose signature holds is told what is wrong with the
     * body (400).
     *
     * @param payload  the raw body bytes, exactly as received (the signature covers those)
     * @param accounts rows with {@code waba_id}, {@code phone_number_id}, {@code app_secret_enc}
     */
    public String authenticate(@Header(SIGNATURE_HEADER) String signature, @Variable("payload") byte[] payload,
                               @Variable("accounts") List<Map<String, Object>> accounts) {
        if (signature == null || signature.isBlank()) {
            throw new WebhookRefusal(401, SIGNATURE_HEADER + " header is missing");
        }
        JsonNode entries = readEntries(payload);
        SecretCipher cipher = cipher();
        Map<String, Boolean> verifiedBySecret = new HashMap<>();
        int index = 0;
        int withoutId = 0;
        for (JsonNode entry : entries) {
            index++;
            String wabaId = text(entry.get("id"));
            if (wabaId == null && withoutId == 0) {
                withoutId = index;
            }
            String named = wabaId == null ? "entry #" + index + " (no WABA id)" : "WABA " + wabaId;
            Set<String> secrets = secretsFor(wabaId, phoneNumberIds(entry), accounts);
            if (secrets.isEmpty()) {
                throw new WebhookRefusal(401, "no WhatsApp Account with an app secret has the WABA id or a phone"
                        + " number id of " + named + ", so nothing can verify " + SIGNATURE_HEADER);
            }
            boolean signed = false;
            for (String stored : secrets) {
                signed |= verifiedBySecret.computeIfAbsent(stored,
                        s -> WebhookSignature.verify(cipher.decrypt(s), payload, signature));
            }
            if (!signed) {
                throw new WebhookRefusal(401, SIGNATURE_HEADER + " does not match the body signed with the app secret"
                        + " of " + named);
            }
        }
        if (withoutId > 0) {
            throw new WebhookRefusal(400, "entry #" + withoutId + " has no id (the WhatsApp Business Account id)");
        }
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The entries of the body; a body without any cannot name the account whose secret signed it. */
    private static JsonNode readEntries(byte[] payload) {
        String unsigned = ", so it names no WhatsApp Account whose app secret could verify " + SIGNATURE_HEADER;
        if (payload == null || payload.length == 0) {
            throw new WebhookRefusal(401, "the body is empty" + unsigned);
        }
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (IOException e) {
            throw new WebhookRefusal(401, "the body is not valid JSON" + unsigned);
        }
        if (root == null || !root.isObject()) {
            throw new WebhookRefusal(401, "the body is not a JSON object" + unsigned);
        }
        JsonNode entries = root.path("entry");
        if (!entries.isArray() || entries.isEmpty()) {
            throw new WebhookRefusal(401, "entry[] is missing or empty" + unsigned);
        }
        return entries;
    }

    private static Set<String> phoneNumberIds(JsonNode entry) {
        Set<String> ids = new HashSet<>();
        for (JsonNode change : entry.path("changes")) {
            String id = text(change.path("value").path("metadata").get("phone_number_id"));
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static Set<String> secretsFor(String wabaId, Set<String> phoneNumberIds, List<Map<String, Object>> accounts) {
        Set<String> secrets = new LinkedHashSet<>();
        for (Map<String, Object> account : accounts) {
            Object secret = account.get("app_secret_enc");
            if (secret != null && (wabaId != null && wabaId.equals(String.valueOf(account.get("waba_id")))
                    || phoneNumberIds.contains(String.valueOf(account.get("phone_number_id"))))) {
                secrets.add(secret.toString());
            }
        }
        return secrets;
    }

    /** Ids arrive as strings, but a number is accepted too rather than refusing Meta over a quote. */
    static String text(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isIntegralNumber())) {
            return null;
        }
        String text = node.asText().strip();
        return text.isEmpty() ? null : text;
    }
}
