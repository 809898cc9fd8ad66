package herald.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A Herald that must not start says why, exits, and leaves nothing behind to clean up. */
class RefusedStartTest {

    @Test
    void withoutAnEncryptionKeyOutsideSandboxNothingIsCreated() throws Exception {
        HeraldProcess herald = HeraldProcess.fresh("nokey", "refused-start-admin-password",
                Map.of("HERALD_SANDBOX", "false", "HERALD_ENCRYPTION_KEY", ""));
        try {
            int exit = herald.exitOfRefusedStart();

            String output = herald.output();
            assertNotEquals(0, exit, output);
            assertTrue(output.contains("herald.encryption-key (environment HERALD_ENCRYPTION_KEY) is required outside "
                    + "sandbox mode"), output);
            assertFalse(Files.exists(herald.dataDir().resolve("herald.mv.db")), "no H2 database was created");
            assertFalse(Files.exists(herald.dataDir().resolve("artemis")), "no broker journal was created");
            assertEquals(0, herald.postgresTables(), "no PostgreSQL table was migrated");
        } finally {
            herald.stop();
        }
    }
}
