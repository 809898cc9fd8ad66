package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static herald.simulator.SimHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloudApiSimulatorTemplatesMediaTest {

    private static final String AUTH = "Bearer " + SimHttp.TOKEN;
    private static final String BOUNDARY = "----herald-test-boundary";

    private CloudApiSimulator simulator;

    private SimHttp start(SimulatorConfig.Builder config) throws Exception {
        simulator = new CloudApiSimulator(config.build()).start();
        return new SimHttp(simulator);
    }

    @AfterEach
    void stop() {
        simulator.stop();
    }

    @Test
    void templatesArePagedWithCursorsAndAnAbsoluteNext() throws Exception {
        SimulatorConfig.Builder config = SimHttp.config();
        config.template(new SimTemplate("6", "invoice_ready", "en", "APPROVED", "UTILITY", "POSITIONAL",
                        "DOCUMENT", null, "Hello {{1}}, invoice {{2}}."))
                .template(new SimTemplate("7", "summer_sale", "en", "REJECTED", "MARKETING", "POSITIONAL",
                        "IMAGE", null, "Summer, {{1}}!"));
        SimHttp http = start(config);

        List<SimTemplate> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String url = "/v23.0/" + SimHttp.WABA + "/message_templates?limit=3";
        while (url != null) {
            HttpResponse<String> response = http.get(url, AUTH);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = json(response);
            page.get("data").forEach(template -> listed.add(SimTemplate.fromGraphJson(template)));
            pageSizes.add(page.get("data").size());
            assertFalse(page.at("/paging/cursors/before").asText().isEmpty());
            assertFalse(page.at("/paging/cursors/after").asText().isEmpty());
            JsonNode next = page.at("/paging/next");
            if (!next.isMissingNode()) {
                assertTrue(next.asText().startsWith(simulator.baseUrl() + "/v23.0/" + SimHttp.WABA + "/message_templates?"),
                        next.asText());
            }
            url = next.isMissingNode() ? null : next.asText();
        }

        assertEquals(List.of(3, 3, 1), pageSizes);
        assertEquals(config.build().templates, listed);
    }

    @Test
    void templateListingShowsPlaceholdersAndFormat() throws Exception {
        SimHttp http = start(SimHttp.config());
        JsonNode named = json(http.get("/v23.0/" + SimHttp.WABA + "/message_templates", AUTH)).at("/data/1");
        assertEquals("{\"id\":\"2\",\"name\":\"spring_sale\",\"language\":\"en\",\"status\":\"APPROVED\","
                + "\"category\":\"MARKETING\",\"parameter_format\":\"NAMED\",\"components\":["
                + "{\"type\":\"HEADER\",\"format\":\"TEXT\",\"text\":\"Hi {{first_name}}\"},"
                + "{\"type\":\"BODY\",\"text\":\"{{first_name}}, {{discount}} off until Sunday.\"}]}", named.toString());
        JsonNode withButtons = json(http.get("/v23.0/" + SimHttp.WABA + "/message_templates", AUTH)).at("/data/0/components/2");
        assertEquals("{\"type\":\"BUTTONS\",\"buttons\":["
                + "{\"type\":\"URL\",\"text\":\"Rechnung ansehen\",\"url\":\"https://pay.example.com/{{1}}\"},"
                + "{\"type\":\"QUICK_REPLY\",\"text\":\"Stop\"}]}", withButtons.toString());
    }

    @Test
    void templateListingRefusesABadCursorAndAnotherWaba() throws Exception {
        SimHttp http = start(SimHttp.config());
        assertEquals(100, json(http.get("/v23.0/" + SimHttp.WABA + "/message_templates?after=bm9wZQ", AUTH))
                .at("/error/code").asInt());
        assertEquals(100, json(http.get("/v23.0/" + SimHttp.WABA + "/message_templates?limit=0", AUTH))
                .at("/error/code").asInt());
        assertEquals(100, json(http.get("/v23.0/999/message_templates", AUTH)).at("/error/code").asInt());
    }

    @Test
    void mediaUploadAnswersAnIdAndIsCounted() throws Exception {
        SimHttp http = start(SimHttp.config());
        byte[] pdf = "%PDF-1.7 invoice".getBytes(StandardCharsets.US_ASCII);

        HttpResponse<String> first = upload(http, "whatsapp", "application/pdf", pdf);
        HttpResponse<String> second = upload(http, "whatsapp", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});

        assertEquals(200, first.statusCode(), first.body());
        String id = json(first).get("id").asText();
        assertTrue(id.matches("\\d+"), id);
        assertFalse(id.equals(json(second).get("id").asText()));
        assertEquals(2, http.stats().get("mediaUploads").asInt());
    }

    @Test
    void mediaUploadRefusesWrongTypesSizesAndFields() throws Exception {
        SimHttp http = start(SimHttp.config());
        assertEquals(131053, json(upload(http, "whatsapp", "image/gif", new byte[] {1})).at("/error/code").asInt());
        assertEquals(131053, json(upload(http, "whatsapp", "image/jpeg", new byte[5 * 1024 * 1024 + 1]))
                .at("/error/code").asInt());
        assertEquals(131053, json(upload(http, "whatsapp", "application/pdf", new byte[0])).at("/error/code").asInt());
        assertEquals(100, json(upload(http, "telegram", "application/pdf", new byte[] {1})).at("/error/code").asInt());
        assertEquals(100, json(upload(http, "whatsapp", null, new byte[] {1})).at("/error/code").asInt());
        assertEquals(100, json(upload(http, "whatsapp", "application/pdf", null)).at("/error/code").asInt());
        HttpResponse<String> notMultipart = http.post("/v23.0/" + SimHttp.PHONE + "/media", "application/json",
                "{}".getBytes(StandardCharsets.US_ASCII), AUTH);
        assertEquals(100, json(notMultipart).at("/error/code").asInt());
        assertEquals(0, http.stats().get("mediaUploads").asInt());
    }

    private static HttpResponse<String> upload(SimHttp http, String product, String type, byte[] file) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        field(body, "messaging_product", null, product.getBytes(StandardCharsets.UTF_8));
        if (type != null) {
            field(body, "type", null, type.getBytes(StandardCharsets.UTF_8));
        }
        if (file != null) {
            field(body, "file", "invoice.bin", file);
        }
        body.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return http.post("/v23.0/" + SimHttp.PHONE + "/media", "multipart/form-data; boundary=" + BOUNDARY,
                body.toByteArray(), AUTH);
    }

    private static void field(ByteArrayOutputStream body, String name, String filename, byte[] content) throws Exception {
        String disposition = "Content-Disposition: form-data; name=\"" + name + "\""
                + (filename == null ? "" : "; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream");
        body.write(("--" + BOUNDARY + "\r\n" + disposition + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(content);
        body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
