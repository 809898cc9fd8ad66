package herald.monitoring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.handler.BasicAuthHandler;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationConfigEntry;

/**
 * HTTP Basic authentication for the management server's Jolokia and metrics paths, with one
 * monitoring user. Health stays open so that probes need no credentials.
 *
 * <p>Camel's own management authentication (camel.management.authentication-path) protects a single
 * path: one prefix covering both Jolokia and metrics would cover health too, so Herald adds one entry
 * per protected path to the management server's authentication configuration before it starts.
 */
public final class ManagementAccess {

    static final String GENERATED_PASSWORD_FILE = "monitoring-password";
    private static final String REALM = "herald-monitoring";

    private final String user;
    private final byte[] passwordDigest;
    private final Path generatedPasswordFile;

    private ManagementAccess(String user, String password, Path generatedPasswordFile) {
        this.user = user;
        this.passwordDigest = sha256(password);
        this.generatedPasswordFile = generatedPasswordFile;
    }

    /**
     * The monitoring user with the configured password or, when none is configured, one generated
     * once and kept (readable by its owner only) in the data folder for the operator to look up.
     */
    public static ManagementAccess resolve(String user, String configuredPassword, Path dataDir) throws IOException {
        if (user.isBlank()) {
            throw new IllegalStateException("herald.monitoring.user must not be empty");
        }
        if (!configuredPassword.isEmpty()) {
            return new ManagementAccess(user, configuredPassword, null);
        }
        Path file = dataDir.resolve(GENERATED_PASSWORD_FILE);
        if (Files.exists(file)) {
            return new ManagementAccess(user, Files.readString(file, StandardCharsets.UTF_8).trim(), file);
        }
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // Created empty and restricted first, so the password is never in a file others may read.
        Files.createFile(file);
        file.toFile().setReadable(false, false);
        file.toFile().setWritable(false, false);
        file.toFile().setReadable(true, true);
        file.toFile().setWritable(true, true);
        Files.writeString(file, password, StandardCharsets.UTF_8);
        return new ManagementAccess(user, password, file);
    }

    /** Demands the monitoring user's credentials on each path (a Vert.x route path, '*' as a prefix wildcard). */
    public void protect(ManagementHttpServer server, String... paths) {
        AuthenticationConfig config = server.getConfiguration().getAuthenticationConfig();
        for (String path : paths) {
            AuthenticationConfigEntry entry = new AuthenticationConfigEntry();
            entry.setPath(path);
            entry.setAuthenticationProviderFactory(vertx -> new Provider());
            entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
                @Override
                public <T extends AuthenticationProvider> BasicAuthHandler createAuthenticationHandler(T provider) {
                    return BasicAuthHandler.create(provider, REALM);
                }
            });
            config.getEntries().add(entry);
        }
        config.setEnabled(true);
    }

    public String user() {
        return user;
    }

    /** Where the password is kept when Herald generated it. */
    public Optional<Path> generatedPasswordFile() {
        return Optional.ofNullable(generatedPasswordFile);
    }

    /** Whether the pair is the monitoring user's, compared in constant time whatever the lengths. */
    boolean accepts(String candidateUser, String candidatePassword) {
        boolean userMatches = MessageDigest.isEqual(sha256(user), sha256(candidateUser == null ? "" : candidateUser));
        boolean passwordMatches = MessageDigest.isEqual(passwordDigest, sha256(candidatePassword == null ? "" : candidatePassword));
        return userMatches & passwordMatches;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private final class Provider implements AuthenticationProvider {
        @Override
        public void authenticate(JsonObject credentials, Handler<AsyncResult<User>> resultHandler) {
            String candidate = credentials.getString("username");
            resultHandler.handle(accepts(candidate, credentials.getString("password"))
                    ? Future.succeededFuture(User.fromName(candidate))
                    : Future.failedFuture("invalid monitoring credentials"));
        }
    }
}
