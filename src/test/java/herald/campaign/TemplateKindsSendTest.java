package herald.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.recipient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Herald's own payloads for every kind of template it sends, checked by the Cloud API simulator
 * over real HTTP: NAMED parameters, a TEXT header with a placeholder, an IMAGE and a VIDEO header
 * (uploaded through the simulator's media endpoint). The simulator refuses a payload whose
 * parameters, names or media do not match the template, so every message accepted and none
 * refused means each kind was built as Meta expects.
 */
class TemplateKindsSendTest {

    private static final String TOKEN = "template-kinds-test-token";
    private static final String NAMED_BODY = "Hi {{first_name}}, order {{order_id}} has shipped.";
    private static final String TEXT_HEADER = "Order {{1}}";
    private static final String TEXT_HEADER_BODY = "Hello {{1}}, it arrives on {{2}}.";
    private static final String IMAGE_BODY = "Summer is here, {{1}}!";
    private static final String VIDEO_BODY = "{{first_name}}, watch what is new.";

    private static final CampaignFixture fixture = new CampaignFixture();
    private static CloudApiSimulator simulator;

    @BeforeAll
    static void startSimulator() throws IOException {
        CloudApiSimulator.preferNoDelay();
        simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN)
                .template(new SimTemplate("11", "kinds_named", "en", "APPROVED", "UTILITY", "NAMED", "NONE", null,
                        NAMED_BODY))
                .template(new SimTemplate("12", "kinds_text_header", "en", "APPROVED", "UTILITY", "POSITIONAL", "TEXT",
                        TEXT_HEADER, TEXT_HEADER_BODY))
                .template(new SimTemplate("13", "kinds_image", "en", "APPROVED", "MARKETING", "POSITIONAL", "IMAGE", null,
                        IMAGE_BODY))
                .template(new SimTemplate("14", "kinds_video", "en", "APPROVED", "MARKETING", "NAMED", "VIDEO", null,
                        VIDEO_BODY))
                .throughputPerSecond(1000)
                .build()).start();
    }

    @AfterAll
    static void stopSimulator() {
        fixture.cancelUnfinished();
        simulator.stop();
    }

    @Test
    void namedTextHeaderImageAndVideoTemplatesAreAllAcceptedByTheSimulator() throws Exception {
        long account = fixture.account(Map.of("apiBaseUrl", simulator.baseUrl(), "accessToken", TOKEN));

        long named = fixture.template(account, "kinds_named", "en", "APPROVED", "NAMED", body(NAMED_BODY));
        long textHeader = fixture.template(account, "kinds_text_header", "en", "APPROVED", "POSITIONAL",
                "[{\"type\":\"HEADER\",\"format\":\"TEXT\",\"text\":\"" + TEXT_HEADER + "\"}," + body(TEXT_HEADER_BODY).substring(1));
        long image = fixture.template(account, "kinds_image", "en", "APPROVED", "POSITIONAL", mediaHeader("IMAGE", IMAGE_BODY));
        long video = fixture.template(account, "kinds_video", "en", "APPROVED", "NAMED", mediaHeader("VIDEO", VIDEO_BODY));

        long jpeg = upload("summer.jpg", "image/jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10});
        byte[] mp4 = "\0\0\0\u0018ftypmp42\0\0\0\0mp42isom".getBytes(StandardCharsets.ISO_8859_1);
        long movie = upload("new.mp4", "video/mp4", mp4);

        Map<String, Object> namedValues = Map.of("first_name", "Anna", "order_id", "A-17");
        Map<String, Object> textHeaderValues = ordered("4711", "Ben", "Friday");
        Map<String, Object> imageValues = ordered("Cleo");
        Map<String, Object> videoValues = Map.of("first_name", "Dev");

        List<String> campaigns = new ArrayList<>();
        campaigns.add(submit(named, namedValues, null, "+4915142000101", "+4915142000102"));
        campaigns.add(submit(textHeader, textHeaderValues, null, "+4915142000201", "+4915142000202"));
        campaigns.add(submit(image, imageValues, jpeg, "+4915142000301", "+4915142000302"));
        campaigns.add(submit(video, videoValues, movie, "+4915142000401", "+4915142000402"));

        for (String name : campaigns) {
            JsonNode done = fixture.awaitStatus(name, Set.of("Completed", "Partially Failed"));
            assertEquals("Completed", done.path("status").asText(), done::toString);
            assertEquals(2, done.path("sent").asInt(), done::toString);
        }
        JsonNode stats = simulator.stats();
        assertEquals(8, stats.path("acceptedTotal").asInt(), stats::toString);
        assertEquals(0, stats.path("rejectedTotal").asInt(), "the simulator refused none: " + stats);
        assertEquals(0, stats.path("serverErrors").asInt(), stats::toString);
        assertEquals(2, stats.path("mediaUploads").asInt(), "the image and the video, uploaded once each: " + stats);
        for (String number : List.of("+4915142000101", "+4915142000202", "+4915142000301", "+4915142000402")) {
            assertEquals(1, stats.path("acceptedByRecipient").path(number).asInt(), number + " in " + stats);
        }
        for (String name : campaigns) {
            for (Map<String, Object> m : fixture.messageRows(name)) {
                assertTrue(String.valueOf(m.get("wamid")).startsWith("wamid."), m::toString);
            }
        }
    }

    private static String body(String text) {
        return "[{\"type\":\"BODY\",\"text\":\"" + text + "\"}]";
    }

    private static String mediaHeader(String format, String bodyText) {
        return "[{\"type\":\"HEADER\",\"format\":\"" + format + "\"},{\"type\":\"BODY\",\"text\":\"" + bodyText + "\"}]";
    }

    private static long upload(String name, String type, byte[] bytes) {
        return fixture.api.postBytes("/api/files?name=" + name, type, bytes).json(201).path("id").asLong();
    }

    /** Positional values: their key order is the placeholders' order, header first. */
    private static Map<String, Object> ordered(String... values) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            map.put("v" + i, values[i]);
        }
        return map;
    }

    private static String submit(long templateId, Map<String, Object> values, Long attachment, String... numbers) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String number : numbers) {
            rows.add(recipient(number, "R" + number.substring(number.length() - 3), null));
        }
        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values, rows);
        if (attachment != null) {
            request.put("attachmentFileId", attachment);
        }
        String name = fixture.create(request);
        fixture.submit(name, false);
        return name;
    }
}
