package herald.monitoring;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;

/**
 * Readiness: the database answers a query and carries every migration Herald ships (Flyway's
 * schema history is present, current and without a failed entry). Not a liveness check: a database
 * outage is not cured by restarting Herald.
 */
public final class DatabaseHealthCheck extends AbstractHealthCheck {

    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final Flyway flyway;

    public DatabaseHealthCheck(DataSource dataSource, String... migrationLocations) {
        super("herald", "database");
        this.dataSource = dataSource;
        this.flyway = Flyway.configure().dataSource(dataSource).locations(migrationLocations).load();
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
            builder.detail("database", c.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            builder.message("the database does not answer").error(e).down();
            return;
        }
        MigrationInfoService info;
        try {
            info = flyway.info();
        } catch (FlywayException e) {
            builder.message("Flyway cannot read the schema history").error(e).down();
            return;
        }
        MigrationInfo current = info.current();
        if (current == null) {
            builder.message("no migration is applied: Flyway's schema history is missing or empty").down();
            return;
        }
        builder.detail("schema.version", current.getVersion().getVersion());
        for (MigrationInfo migration : info.all()) {
            if (migration.getState().isFailed()) {
                builder.message("migration " + migration.getVersion() + " failed: " + migration.getDescription()).down();
                return;
            }
        }
        int pending = info.pending().length;
        if (pending > 0) {
            builder.message(pending + " migration(s) not applied yet").down();
            return;
        }
        builder.up();
    }
}
