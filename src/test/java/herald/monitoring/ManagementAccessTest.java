package herald.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitoring user's credentials: configured, or generated once and kept for the operator. */
class ManagementAccessTest {

    @TempDir
    Path dataDir;

    @Test
    void aConfiguredPasswordIsTheOnlyOneAcceptedAndNothingIsWritten() throws Exception {
        ManagementAccess access = ManagementAccess.resolve("monitor", "s3cret,with=odd chars", dataDir);

        assertTrue(access.accepts("monitor", "s3cret,with=odd chars"));
        assertFalse(access.accepts("monitor", "s3cret,with=odd char"));
        assertFalse(access.accepts("monitor", ""));
        assertFalse(access.accepts("monitor", null));
        assertFalse(access.accepts("admin", "s3cret,with=odd chars"));
        assertFalse(access.accepts(null, null));
        assertEquals(Optional.empty(), access.generatedPasswordFile());
        assertFalse(Files.exists(dataDir.resolve(ManagementAccess.GENERATED_PASSWORD_FILE)));
    }

    @Test
    void withoutAPasswordOneIsGeneratedOnceReadableByItsOwnerOnlyAndKeptAcrossRestarts() throws Exception {
        ManagementAccess first = ManagementAccess.resolve("monitor", "", dataDir);
        Path file = dataDir.resolve(ManagementAccess.GENERATED_PASSWORD_FILE);
        assertEquals(Optional.of(file), first.generatedPasswordFile());
        String password = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(password.length() >= 20, "long enough to resist guessing");
        assertTrue(first.accepts("monitor", password));
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(file));
        }

        ManagementAccess restarted = ManagementAccess.resolve("monitor", "", dataDir);
        assertTrue(restarted.accepts("monitor", password));
        assertEquals(password, Files.readString(file, StandardCharsets.UTF_8));

        ManagementAccess configured = ManagementAccess.resolve("monitor", "chosen-later", dataDir);
        assertFalse(configured.accepts("monitor", password), "a configured password replaces the generated one");
    }

    @Test
    void aMonitoringUserIsRequired() {
        assertThrows(IllegalStateException.class, () -> ManagementAccess.resolve(" ", "x", dataDir));
    }
}
