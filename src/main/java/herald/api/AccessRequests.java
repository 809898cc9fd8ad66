package herald.api;

import java.util.LinkedHashMap;
import java.util.Map;

import herald.domain.PasswordHasher;

/** Users and API tokens: who may call the API, and with which role. */
public class AccessRequests {

    public Map<String, Object> userForInsert(Map<String, Object> body) {
        Fields f = new Fields(body);
        String username = f.text("username", true, 100);
        String password = f.text("password", true, 200);
        if (password.length() < 12) {
            throw ApiException.badRequest("password", "must be at least 12 characters");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("username", username);
        row.put("passwordHash", PasswordHasher.hash(password.toCharArray()));
        row.put("role", Role.parse(f.text("role", true, 40)).name());
        return row;
    }

    /** A new token: its value is answered once, only its digest is stored. */
    public Map<String, Object> tokenForInsert(Map<String, Object> body, String createdBy) {
        Fields f = new Fields(body);
        String token = PasswordHasher.newToken();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", f.text("name", true, 100));
        row.put("role", Role.parse(f.text("role", true, 40)).name());
        row.put("tokenHash", PasswordHasher.sha256Hex(token));
        row.put("createdBy", createdBy);
        row.put("token", token);
        return row;
    }

    /** The answer to a token's creation: the only time its value is shown. */
    public Map<String, Object> createdTokenView(Map<String, Object> row, String token) {
        Map<String, Object> view = view(row);
        view.put("token", token);
        return view;
    }

    public Map<String, Object> view(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        if (row.containsKey("username")) {
            view.put("username", row.get("username"));
        } else {
            view.put("name", row.get("name"));
            view.put("createdBy", row.get("created_by"));
        }
        view.put("role", Role.valueOf((String) row.get("role")) == Role.SYSTEM_MANAGER ? "System Manager" : "Campaign Viewer");
        view.put("createdAt", Views.instant(row.get("created_at")));
        return view;
    }
}
