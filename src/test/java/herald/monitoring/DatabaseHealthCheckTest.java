package herald.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Readiness of the database: reachable, and every migration Herald ships applied. */
class DatabaseHealthCheckTest {

    private static final String MIGRATIONS = "classpath:db/migration";

    private static JdbcDataSource h2(String options) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:health-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1" + options);
        return dataSource;
    }

    private static HealthCheck.Result check(javax.sql.DataSource dataSource) {
        DatabaseHealthCheck check = new DatabaseHealthCheck(dataSource, MIGRATIONS);
        check.setCamelContext(new DefaultCamelContext());
        return check.call();
    }

    @Test
    void downWhileNoMigrationIsApplied() {
        HealthCheck.Result result = check(h2(""));
        assertEquals(HealthCheck.State.DOWN, result.getState());
        assertTrue(result.getMessage().orElse("").contains("no migration is applied"), result.getMessage()::toString);
    }

    @Test
    void upOnceMigratedWithTheSchemaVersion() {
        JdbcDataSource dataSource = h2("");
        Flyway flyway = Flyway.configure().dataSource(dataSource).locations(MIGRATIONS).load();
        flyway.migrate();

        HealthCheck.Result result = check(dataSource);
        assertEquals(HealthCheck.State.UP, result.getState(), () -> result.getMessage().orElse(""));
        assertEquals(flyway.info().current().getVersion().getVersion(), result.getDetails().get("schema.version"));
        assertEquals("H2", result.getDetails().get("database"));
    }

    @Test
    void downWhenAMigrationIsMissing() {
        JdbcDataSource dataSource = h2("");
        Flyway.configure().dataSource(dataSource).locations(MIGRATIONS).target("1").load().migrate();

        HealthCheck.Result result = check(dataSource);
        assertEquals(HealthCheck.State.DOWN, result.getState());
        assertTrue(result.getMessage().orElse("").contains("not applied yet"), result.getMessage()::toString);
    }

    @Test
    void downWhenTheDatabaseDoesNotAnswer() {
        // IFEXISTS: H2 refuses to open a database that does not exist, as a server that is down would.
        HealthCheck.Result result = check(h2(";IFEXISTS=TRUE"));
        assertEquals(HealthCheck.State.DOWN, result.getState());
        assertEquals("the database does not answer", result.getMessage().orElse(""));
        assertTrue(result.getError().isPresent());
    }
}
