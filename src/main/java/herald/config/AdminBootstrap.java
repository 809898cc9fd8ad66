package herald.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import herald.api.Role;
import herald.domain.PasswordHasher;

/** Creates the first System Manager when Herald has no user yet. */
final class AdminBootstrap {

    private AdminBootstrap() {
    }

    static void ensureAdmin(DataSource dataSource, String username, String password) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM app_user");
                 ResultSet rs = count.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            String effective = password;
            if (effective.isBlank()) {
                effective = PasswordHasher.newToken().substring(5, 25);
                // Printed once, on purpose: it is the only way the operator learns it.
                System.out.println("Herald created the System Manager '" + username + "' with the generated password: "
                        + effective + "  (set HERALD_ADMIN_PASSWORD to choose one)");
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO app_user (username, password_hash, role) VALUES (?, ?, ?)")) {
                insert.setString(1, username);
                insert.setString(2, PasswordHasher.hash(effective.toCharArray()));
                insert.setString(3, Role.SYSTEM_MANAGER.name());
                insert.executeUpdate();
            }
        }
    }
}
