package herald.accounts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import herald.api.ApiException;
import herald.api.Fields;
import herald.domain.SecretCipher;
import herald.api.Views;

/**
 * Maps WhatsApp Account requests to rows and rows to answers. Secrets go in encrypted and never
 * come out: the answer only says whether each one is set.
 */
public class AccountRequests {

    private static final Pattern VERSION = Pattern.compile("v\\d{1,3}\\.\\d{1,2}");

    private final SecretCipher cipher;
    private final String defaultBaseUrl;
    private final String defaultVersion;
    private final int defaultRate;

    public AccountRequests(SecretCipher cipher, String defaultBaseUrl, String defaultVersion, int defaultRate) {
        this.cipher = cipher;
        this.defaultBaseUrl = defaultBaseUrl;
        this.defaultVersion = defaultVersion;
        this.defaultRate = defaultRate;
    }

    /** Columns for an insert; every field checked. */
    public Map<String, Object> forInsert(Map<String, Object> body) {
        return columns(new Fields(body), null);
    }

    /** Columns for an update: fields absent from the body keep their stored value. */
    public Map<String, Object> forUpdate(Map<String, Object> body, Map<String, Object> stored) {
        if (stored == null) {
            throw ApiException.notFound("WhatsApp Account");
        }
        Map<String, Object> merged = new LinkedHashMap<>(view(stored));
        merged.putAll(body);
        Map<String, Object> row = columns(new Fields(merged), stored);
        row.put("id", stored.get("id"));
        return row;
    }

    private Map<String, Object> columns(Fields f, Map<String, Object> stored) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", f.text("name", true, 140));
        row.put("phoneNumberId", f.digits("phoneNumberId", true));
        row.put("wabaId", f.digits("wabaId", true));
        row.put("appId", f.digits("appId", false));
        row.put("accessToken", secret(f, "accessToken", stored == null, stored, "access_token_enc"));
        row.put("appSecret", secret(f, "appSecret", false, stored, "app_secret_enc"));
        row.put("verifyToken", secret(f, "webhookVerifyToken", false, stored, "verify_token_enc"));
        row.put("apiBaseUrl", f.url("apiBaseUrl", defaultBaseUrl));
        String version = f.text("apiVersion", false, 20);
        if (version != null && !VERSION.matcher(version).matches()) {
            throw ApiException.badRequest("apiVersion", "must look like v23.0");
        }
        row.put("apiVersion", version == null ? defaultVersion : version);
        row.put("messagesPerSecond", f.integer("messagesPerSecond", defaultRate, 1, 1000));
        row.put("active", f.bool("active", true));
        row.put("isDefault", f.bool("isDefault", false));
        return row;
    }

    private String secret(Fields f, String field, boolean required, Map<String, Object> stored, String column) {
        Object supplied = f.raw(field);
        if (supplied instanceof String s && !s.isBlank()) {
            return cipher.encrypt(f.text(field, true, 1000));
        }
        if (stored != null) {
            return (String) stored.get(column);
        }
        if (required) {
            throw ApiException.badRequest(field, "is required");
        }
        return null;
    }

    /** The answer for one account row: no secret, only whether it is set. */
    public Map<String, Object> view(Map<String, Object> row) {
        if (row == null) {
            throw ApiException.notFound("WhatsApp Account");
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("name", row.get("name"));
        view.put("phoneNumberId", row.get("phone_number_id"));
        view.put("wabaId", row.get("waba_id"));
        view.put("appId", row.get("app_id"));
        view.put("accessTokenSet", row.get("access_token_enc") != null);
        view.put("appSecretSet", row.get("app_secret_enc") != null);
        view.put("webhookVerifyTokenSet", row.get("verify_token_enc") != null);
        view.put("apiBaseUrl", row.get("api_base_url"));
        view.put("apiVersion", row.get("api_version"));
        view.put("messagesPerSecond", row.get("messages_per_second"));
        view.put("active", row.get("active"));
        view.put("isDefault", row.get("is_default"));
        view.put("sandbox", row.get("sandbox"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("updatedAt", Views.instant(row.get("updated_at")));
        return view;
    }
}
