package herald.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This node's name on the messages it has in flight, stable across restarts so that after a crash
 * the node knows which interrupted sends were its own.
 */
final class NodeId {

    private NodeId() {
    }

    static String resolve(String configured, Path dataDir) throws IOException {
        if (!configured.isBlank()) {
            return configured;
        }
        Path file = dataDir.resolve("node-id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = "herald-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, id, StandardCharsets.UTF_8);
        return id;
    }
}
