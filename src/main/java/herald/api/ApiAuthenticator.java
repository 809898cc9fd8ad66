package herald.api;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import herald.domain.PasswordHasher;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Authenticates every /api call (HTTP Basic for people, Bearer API tokens for integrations) and
 * enforces the two roles: Campaign Viewer may only read.
 */
public final class ApiAuthenticator implements Processor {

    public static final String USER = "heraldUser";
    public static final String ROLE = "heraldRole";
    private static final Duration VERIFIED_FOR = Duration.ofMinutes(5);

    private final DataSource dataSource;
    // PBKDF2 is slow by design; a verified (user, password digest) pair is trusted for a few minutes.
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(Role role, long until) {
    }

    public ApiAuthenticator(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void process(Exchange exchange) throws SQLException {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        exchange.getMessage().removeHeader("Authorization");
        String[] principal = authenticate(authorization);
        Role role = Role.valueOf(principal[1]);
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        boolean reads = method.equals("GET") || method.equals("HEAD");
        if (!reads && role != Role.SYSTEM_MANAGER) {
            throw new ApiException(403, "forbidden", "the Campaign Viewer role may only read; "
                    + method + " needs a System Manager", null, null);
        }
        exchange.setProperty(USER, principal[0]);
        exchange.setProperty(ROLE, role.name());
    }

    private String[] authenticate(String authorization) throws SQLException {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("authentication required: HTTP Basic (curl -u user:password) or 'Authorization: Bearer <API token>'");
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return basic(authorization.substring(6).trim());
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bearer(authorization.substring(7).trim());
        }
        throw unauthorized("unsupported Authorization scheme: use Basic or Bearer");
    }

    private String[] basic(String encoded) throws SQLException {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw unauthorized("malformed Basic credentials");
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String cacheKey = user + '\u0000' + PasswordHasher.sha256Hex(password);
        Verified hit = verified.get(cacheKey);
        if (hit != null && hit.until > System.currentTimeMillis()) {
            return new String[] {user, hit.role.name()};
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT password_hash, role FROM app_user WHERE username = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !PasswordHasher.matches(password.toCharArray(), rs.getString(1))) {
                    throw unauthorized("unknown user or wrong password");
                }
                Role role = Role.valueOf(rs.getString(2));
                verified.put(cacheKey, new Verified(role, System.currentTimeMillis() + VERIFIED_FOR.toMillis()));
                return new String[] {user, role.name()};
            }
        }
    }

    private String[] bearer(String token) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT name, role FROM api_token WHERE token_hash = ?")) {
            ps.setString(1, PasswordHasher.sha256Hex(token));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw unauthorized("unknown API token");
                }
                return new String[] {"token:" + rs.getString(1), rs.getString(2)};
            }
        }
    }

    /** Forgets cached verifications, so a changed password or role takes effect at once. */
    public void forget() {
        verified.clear();
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message, null, null);
    }
}
