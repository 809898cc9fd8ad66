package herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/** The OpenAPI document at /api-doc describes every operation routes/rest-api.camel.yaml defines. */
class ApiDocTest {

    private static final Set<String> VERBS = Set.of("get", "post", "put", "delete", "patch", "head");

    private final HeraldServer herald = HeraldServer.shared();

    /** Each operation of the REST DSL as "verb path", e.g. "get /api/accounts/{id}". */
    private static List<String> definedOperations() throws IOException {
        JsonNode routes = new YAMLMapper().readTree(Path.of("routes/rest-api.camel.yaml").toFile());
        List<String> operations = new ArrayList<>();
        for (JsonNode element : routes) {
            JsonNode rest = element.path("rest");
            if (rest.isMissingNode()) {
                continue;
            }
            String base = rest.path("path").asText();
            rest.fields().forEachRemaining(entry -> {
                if (VERBS.contains(entry.getKey())) {
                    for (JsonNode operation : entry.getValue()) {
                        operations.add(entry.getKey() + " " + base + operation.path("path").asText(""));
                    }
                }
            });
        }
        return operations;
    }

    @Test
    void everyRestOperationIsDocumented() throws IOException {
        List<String> defined = definedOperations();
        assertTrue(defined.size() >= 20, "the REST DSL was read: " + defined);

        JsonNode paths = herald.anonymous().get("/api-doc").json(200).path("paths");
        List<String> documented = new ArrayList<>();
        paths.fieldNames().forEachRemaining(documented::add);
        for (String operation : defined) {
            String verb = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1);
            assertTrue(documented.contains(path), "/api-doc lacks " + path + "; it has " + documented);
            assertTrue(paths.path(path).has(verb.toLowerCase(Locale.ROOT)), "/api-doc lacks " + operation);
        }
        assertTrue(defined.contains("get /api/accounts/{id}"), "paths are joined as OpenAPI writes them: " + defined);
    }

    @Test
    void queryParametersAreDeclaredWithTheirMeaning() {
        JsonNode paths = herald.anonymous().get("/api-doc").json(200).path("paths");

        JsonNode skipInvalid = queryParameter(paths, "post", "/api/campaigns/{name}/submit", "skipInvalid");
        assertEquals("boolean", skipInvalid.path("schema").path("type").asText(), skipInvalid::toString);
        assertFalse(skipInvalid.path("required").asBoolean(), skipInvalid::toString);
        for (String name : List.of("status", "page", "size")) {
            JsonNode parameter = queryParameter(paths, "get", "/api/campaigns/{name}/messages", name);
            assertFalse(parameter.path("description").asText().isBlank(), parameter::toString);
        }
        assertTrue(queryParameter(paths, "get", "/api/campaigns/{name}/messages", "status").path("description").asText()
                .contains("Failed"), "the statuses are named");
        assertEquals("integer", queryParameter(paths, "get", "/api/campaigns/{name}/recipients", "size")
                .path("schema").path("type").asText());
        assertTrue(queryParameter(paths, "post", "/api/files", "name").path("required").asBoolean());
        queryParameter(paths, "get", "/api/templates", "accountId");
        queryParameter(paths, "get", "/api/reports/bulk-whatsapp-status", "format");
    }

    private static JsonNode queryParameter(JsonNode paths, String verb, String path, String name) {
        JsonNode parameters = paths.path(path).path(verb).path("parameters");
        for (JsonNode parameter : parameters) {
            if (parameter.path("in").asText().equals("query") && parameter.path("name").asText().equals(name)) {
                return parameter;
            }
        }
        throw new AssertionError(verb + " " + path + " declares no query parameter " + name + ": " + parameters);
    }
}
