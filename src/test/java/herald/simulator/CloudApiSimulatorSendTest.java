package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.whatsapp.CloudApiOutcome;
import herald.whatsapp.ErrorClassifier;
import herald.whatsapp.TemplatePayloadBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static herald.simulator.SimHttp.MAPPER;
import static herald.simulator.SimHttp.invoice;
import static herald.simulator.SimHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloudApiSimulatorSendTest {

    private final List<CloudApiSimulator> started = new ArrayList<>();

    private SimHttp start(SimulatorConfig.Builder config) throws Exception {
        CloudApiSimulator simulator = new CloudApiSimulator(config.build()).start();
        started.add(simulator);
        return new SimHttp(simulator);
    }

    @AfterEach
    void stop() {
        started.forEach(CloudApiSimulator::stop);
    }

    @Test
    void acceptedSendAnswersTheReferenceShape() throws Exception {
        SimHttp http = start(SimHttp.config());
        String body = TemplatePayloadBuilder.build(MAPPER.readTree("{\"messageId\":917,\"campaign\":\"C-1\","
                + "\"to\":\"+4915112345678\",\"template\":{\"name\":\"invoice_ready\",\"language\":\"de\","
                + "\"parameterFormat\":\"POSITIONAL\"},\"header\":{\"kind\":\"DOCUMENT\",\"mediaId\":\"55\","
                + "\"filename\":\"Invoice.pdf\"},\"parameters\":{\"body\":[{\"name\":\"1\",\"value\":\"Anna\"},"
                + "{\"name\":\"2\",\"value\":\"9001\"}],\"buttons\":[{\"index\":0,\"value\":\"inv/9001\"}]}}"));

        HttpResponse<String> response = http.send(SimHttp.PHONE, body, "Bearer " + SimHttp.TOKEN);

        assertEquals(200, response.statusCode());
        JsonNode answer = json(response);
        String wamid = answer.at("/messages/0/id").asText();
        assertTrue(wamid.startsWith("wamid."), wamid);
        assertEquals("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+4915112345678\","
                + "\"wa_id\":\"4915112345678\"}],\"messages\":[{\"id\":\"" + wamid + "\",\"message_status\":\"accepted\"}]}",
                response.body());
        CloudApiOutcome outcome = ErrorClassifier.classify(response.statusCode(), response.body());
        assertEquals(CloudApiOutcome.Kind.ACCEPTED, outcome.kind());
        assertEquals(wamid, outcome.wamid());
    }

    @Test
    void everyAcceptedSendGetsItsOwnWamid() throws Exception {
        SimHttp http = start(SimHttp.config());
        Set<String> wamids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            wamids.add(json(http.send(invoice("+49151000010" + (10 + i)))).at("/messages/0/id").asText());
        }
        assertEquals(20, wamids.size());
    }

    static Stream<Arguments> invalidSends() {
        return Stream.of(
                invalid("messaging_product missing", m -> m.remove("messaging_product"), 100),
                invalid("to missing", m -> m.remove("to"), 100),
                invalid("to without +", m -> m.put("to", "4915112345678"), 131009),
                invalid("to with spaces", m -> m.put("to", "+49 151 12345678"), 131009),
                invalid("type text", m -> m.put("type", "text"), 131051),
                invalid("template name missing", m -> template(m).remove("name"), 100),
                invalid("language missing", m -> template(m).remove("language"), 100),
                invalid("unknown template", m -> template(m).put("name", "nope"), 132001),
                invalid("unknown language", m -> template(m).putObject("language").put("code", "fr"), 132001),
                invalid("pending template", m -> noParameters(m, "draft"), 132001),
                invalid("paused template", m -> noParameters(m, "tired"), 132015),
                invalid("disabled template", m -> noParameters(m, "gone"), 132016),
                invalid("too few body parameters", m -> bodyParameters(m).remove(1), 132000),
                invalid("too many body parameters", m -> bodyParameters(m).addObject().put("type", "text").put("text", "x"), 132000),
                invalid("media header missing", m -> components(m).remove(0), 132012),
                invalid("image for a document header", m -> {
                    ObjectNode parameter = (ObjectNode) components(m).get(0).get("parameters").get(0);
                    parameter.put("type", "image");
                    parameter.set("image", parameter.remove("document"));
                }, 132012),
                invalid("media with id and link", m -> ((ObjectNode) components(m).at("/0/parameters/0/document"))
                        .put("link", "https://example.org/i.pdf"), 131008),
                invalid("media without id or link", m -> ((ObjectNode) components(m).at("/0/parameters/0/document"))
                        .remove("id"), 131008),
                invalid("empty text", m -> ((ObjectNode) bodyParameters(m).get(0)).put("text", ""), 131008),
                invalid("newline in text", m -> ((ObjectNode) bodyParameters(m).get(0)).put("text", "An\nna"), 132018),
                invalid("tab in text", m -> ((ObjectNode) bodyParameters(m).get(0)).put("text", "An\tna"), 132018),
                invalid("five spaces in text", m -> ((ObjectNode) bodyParameters(m).get(0)).put("text", "An     na"), 132018),
                invalid("url button missing", m -> components(m).remove(2), 132000),
                invalid("url button twice", m -> components(m).add(components(m).get(2).deepCopy()), 132000),
                invalid("button that takes no parameter", m -> ((ObjectNode) components(m).get(2)).put("index", "1"), 132000),
                invalid("button of another sub_type", m -> ((ObjectNode) components(m).get(2)).put("sub_type", "quick_reply"), 132000),
                invalid("url button without its parameter", m -> buttonParameters(m).remove(0), 132000),
                invalid("url button with two parameters", m -> buttonParameters(m).add(buttonParameters(m).get(0).deepCopy()), 132000),
                invalid("empty url button text", m -> ((ObjectNode) buttonParameters(m).get(0)).put("text", ""), 131008),
                invalid("tab in url button text", m -> ((ObjectNode) buttonParameters(m).get(0)).put("text", "inv/\t9001"), 132018),
                invalid("button on a template without buttons", m -> {
                    ObjectNode button = (ObjectNode) components(m).get(2);
                    named(m);
                    components(m).add(button);
                }, 132000),
                invalid("named without parameter_name", m -> {
                    named(m);
                    ((ObjectNode) bodyParameters(m).get(1)).remove("parameter_name");
                }, 100),
                invalid("named with an unknown name", m -> {
                    named(m);
                    ((ObjectNode) bodyParameters(m).get(1)).put("parameter_name", "rebate");
                }, 132000));
    }

    private static Arguments invalid(String name, Consumer<ObjectNode> change, int code) {
        return Arguments.of(name, change, code);
    }

    private static ObjectNode template(ObjectNode message) {
        return (ObjectNode) message.get("template");
    }

    private static ArrayNode components(ObjectNode message) {
        return (ArrayNode) template(message).get("components");
    }

    private static ArrayNode bodyParameters(ObjectNode message) {
        return (ArrayNode) components(message).get(1).get("parameters");
    }

    private static ArrayNode buttonParameters(ObjectNode message) {
        return (ArrayNode) components(message).get(2).get("parameters");
    }

    private static void noParameters(ObjectNode message, String name) {
        template(message).put("name", name);
        template(message).putObject("language").put("code", "en");
        template(message).remove("components");
    }

    private static void named(ObjectNode message) {
        template(message).put("name", "spring_sale");
        template(message).putObject("language").put("code", "en");
        ArrayNode components = template(message).putArray("components");
        ObjectNode header = components.addObject().put("type", "header");
        header.putArray("parameters").addObject().put("type", "text").put("parameter_name", "first_name").put("text", "Anna");
        ArrayNode body = components.addObject().put("type", "body").putArray("parameters");
        body.addObject().put("type", "text").put("parameter_name", "first_name").put("text", "Anna");
        body.addObject().put("type", "text").put("parameter_name", "discount").put("text", "20%");
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("invalidSends")
    void invalidSendIsRefusedWithMetasCode(String name, Consumer<ObjectNode> change, int code) throws Exception {
        SimHttp http = start(SimHttp.config());
        ObjectNode message = invoice("+4915112345678");
        change.accept(message);

        HttpResponse<String> response = http.send(message);

        assertEquals(400, response.statusCode(), response.body());
        JsonNode error = json(response).get("error");
        assertEquals(code, error.get("code").asInt(), response.body());
        assertEquals("OAuthException", error.get("type").asText());
        assertFalse(error.get("fbtrace_id").asText().isEmpty());
        assertEquals(1, http.stats().at("/rejectionsByCode/" + code).asInt());
        assertEquals(0, http.stats().get("acceptedTotal").asInt());
    }

    @Test
    void namedTemplateAnswersTheDocumentedMessageWhenANameIsMissing() throws Exception {
        SimHttp http = start(SimHttp.config());
        ObjectNode message = invoice("+4915112345678");
        named(message);
        ((ObjectNode) bodyParameters(message).get(0)).put("parameter_name", "");

        JsonNode error = json(http.send(message)).get("error");

        assertEquals(100, error.get("code").asInt());
        assertEquals("Parameter name is missing or empty", error.at("/error_data/details").asText());
    }

    @Test
    void validNamedTemplateAndFourSpacesAreAccepted() throws Exception {
        SimHttp http = start(SimHttp.config());
        ObjectNode message = invoice("+4915112345678");
        named(message);
        ((ObjectNode) bodyParameters(message).get(0)).put("text", "An    na");

        HttpResponse<String> response = http.send(message);

        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void bodyThatIsNotJsonIsRefused() throws Exception {
        SimHttp http = start(SimHttp.config());
        HttpResponse<String> response = http.send(SimHttp.PHONE, "{\"to\":", "Bearer " + SimHttp.TOKEN);
        assertEquals(400, response.statusCode());
        assertEquals(100, json(response).at("/error/code").asInt());
    }

    @Test
    void unknownPhoneNumberIdIsRefused() throws Exception {
        SimHttp http = start(SimHttp.config());
        HttpResponse<String> response = http.send("999", invoice("+4915112345678").toString(), "Bearer " + SimHttp.TOKEN);
        assertEquals(400, response.statusCode());
        assertEquals(100, json(response).at("/error/code").asInt());
        assertTrue(json(response).at("/error/message").asText().contains("'999' does not exist"));
    }

    @Test
    void unknownPathAndWrongMethodAreRefused() throws Exception {
        SimHttp http = start(SimHttp.config());
        assertEquals(2500, json(http.get("/v23.0/" + SimHttp.PHONE + "/nothing", "Bearer " + SimHttp.TOKEN)).at("/error/code").asInt());
        assertEquals(2500, json(http.get("/messages", "Bearer " + SimHttp.TOKEN)).at("/error/code").asInt());
        HttpResponse<String> get = http.get("/v23.0/" + SimHttp.PHONE + "/messages", "Bearer " + SimHttp.TOKEN);
        assertEquals(400, get.statusCode());
        assertEquals("Unsupported get request.", json(get).at("/error/message").asText());
    }

    @Test
    void tokenIsRequiredAndMustMatch() throws Exception {
        SimHttp http = start(SimHttp.config());
        String message = invoice("+4915112345678").toString();
        for (String authorization : new String[] {null, "Bearer wrong", SimHttp.TOKEN, "Basic " + SimHttp.TOKEN}) {
            HttpResponse<String> response = http.send(SimHttp.PHONE, message, authorization);
            assertEquals(401, response.statusCode(), String.valueOf(authorization));
            assertEquals(190, json(response).at("/error/code").asInt());
            assertEquals(CloudApiOutcome.Kind.ACCOUNT_MUST_STOP,
                    ErrorClassifier.classify(response.statusCode(), response.body()).kind());
        }
        assertEquals(401, http.get("/v23.0/" + SimHttp.WABA + "/message_templates", null).statusCode());
        assertEquals(200, http.send(SimHttp.PHONE, message, "Bearer " + SimHttp.TOKEN).statusCode());
        assertEquals(5, http.stats().at("/rejectionsByCode/190").asInt());
    }

    @Test
    void throughputCapAnswers130429WithinTheSlidingSecond() throws Exception {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        SimHttp http = start(SimHttp.config().throughputPerSecond(5).nanoClock(nanos::get));
        for (int i = 0; i < 5; i++) {
            assertEquals(200, http.send(invoice("+49151000011" + (10 + i))).statusCode());
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        }

        HttpResponse<String> over = http.send(invoice("+4915100001120"));
        assertEquals(400, over.statusCode());
        assertEquals(130429, json(over).at("/error/code").asInt());
        CloudApiOutcome outcome = ErrorClassifier.classify(over.statusCode(), over.body());
        assertEquals(CloudApiOutcome.Kind.RETRY_LATER, outcome.kind());

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
        assertEquals(400, http.send(invoice("+4915100001121")).statusCode());
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertEquals(200, http.send(invoice("+4915100001122")).statusCode());

        JsonNode stats = http.stats();
        assertEquals(5, stats.at("/peakPerSecond/" + SimHttp.PHONE).asInt());
        assertEquals(2, stats.at("/rejectionsByCode/130429").asInt());
        assertEquals(6, stats.get("acceptedTotal").asInt());
    }

    @Test
    void throughputCapCanBeChangedAtRunTime() throws Exception {
        AtomicLong nanos = new AtomicLong();
        SimHttp http = start(SimHttp.config().nanoClock(nanos::get));
        HttpResponse<String> changed = http.post("/sim/config", "application/json",
                "{\"throughputPerSecond\":1}".getBytes(), null);
        assertEquals(1, json(changed).get("throughputPerSecond").asInt());
        assertEquals(200, http.send(invoice("+4915100001130")).statusCode());
        assertEquals(130429, json(http.send(invoice("+4915100001131"))).at("/error/code").asInt());
    }

    @Test
    void pairRateLimitsOneRecipientOnly() throws Exception {
        AtomicLong nanos = new AtomicLong();
        SimHttp http = start(SimHttp.config().pairRate(2, 6_000).nanoClock(nanos::get));
        assertEquals(200, http.send(invoice("+4915100001140")).statusCode());
        assertEquals(200, http.send(invoice("+4915100001140")).statusCode());

        HttpResponse<String> third = http.send(invoice("+4915100001140"));
        assertEquals(131056, json(third).at("/error/code").asInt());
        assertTrue(ErrorClassifier.classify(third.statusCode(), third.body()).pairRate());
        assertEquals(200, http.send(invoice("+4915100001141")).statusCode());

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertEquals(200, http.send(invoice("+4915100001140")).statusCode());
    }

    @Test
    void injectedFailuresFollowTheRunTimeShares() throws Exception {
        SimHttp http = start(SimHttp.config());
        http.post("/sim/config", "application/json", "{\"transientErrorShare\":1.0}".getBytes(), null);
        HttpResponse<String> transientError = http.send(invoice("+4915100001150"));
        assertEquals(500, transientError.statusCode());
        assertEquals(131000, json(transientError).at("/error/code").asInt());
        assertEquals(CloudApiOutcome.Kind.RETRY_LATER,
                ErrorClassifier.classify(transientError.statusCode(), transientError.body()).kind());

        http.post("/sim/config", "application/json", "{\"transientErrorShare\":0,\"serverErrorShare\":1}".getBytes(), null);
        HttpResponse<String> bare = http.send(invoice("+4915100001150"));
        assertEquals(502, bare.statusCode());
        // Not Meta's answer: Herald cannot tell whether the message got through, so it never resends it.
        CloudApiOutcome outcome = ErrorClassifier.classify(bare.statusCode(), bare.body());
        assertEquals(CloudApiOutcome.Kind.UNKNOWN, outcome.kind());
        assertNull(outcome.code());

        http.post("/sim/config", "application/json", "{\"serverErrorShare\":0}".getBytes(), null);
        assertEquals(200, http.send(invoice("+4915100001150")).statusCode());
        JsonNode stats = http.stats();
        assertEquals(1, stats.get("serverErrors").asInt());
        assertEquals(1, stats.at("/rejectionsByCode/131000").asInt());
        assertEquals(1, stats.get("acceptedTotal").asInt());
    }

    @Test
    void badRunTimeConfigIsRefusedAndChangesNothing() throws Exception {
        SimHttp http = start(SimHttp.config());
        for (String body : new String[] {"{\"serverErrorShare\":1.5}", "{\"throughputPerSecond\":0}",
                "{\"throughputPerSecond\":2.5}", "{\"colour\":1}", "[1]", "{\"lostAnswerShare\":\"all\"}",
                "{\"transientErrorShare\":0.5,\"serverErrorShare\":-1}"}) {
            assertEquals(400, http.post("/sim/config", "application/json", body.getBytes(), null).statusCode(), body);
        }
        assertEquals("{\"throughputPerSecond\":80,\"serverErrorShare\":0.0,\"transientErrorShare\":0.0,\"lostAnswerShare\":0.0}",
                http.get("/sim/config", null).body());
    }

    @Test
    void injectedFailuresAreDeterministicForASeed() throws Exception {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            SimHttp http = start(SimHttp.config().seed(7).serverErrorShare(0.3).transientErrorShare(0.3).pairRate(100, 1));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                statuses.add(http.send(invoice("+4915100001160")).statusCode());
            }
            runs.add(statuses);
        }
        assertEquals(runs.get(0), runs.get(1));
        assertTrue(runs.get(0).containsAll(List.of(200, 500, 502)), runs.get(0).toString());
    }

    @Test
    void lostAnswerIsStillAnAcceptedSend() throws Exception {
        SimHttp http = start(SimHttp.config().lostAnswerShare(1.0));
        HttpResponse<String> lost = http.send(invoice("+4915100001170"));
        assertEquals(504, lost.statusCode());
        http.post("/sim/config", "application/json", "{\"lostAnswerShare\":0}".getBytes(), null);
        assertEquals(200, http.send(invoice("+4915100001170")).statusCode());

        JsonNode stats = http.stats();
        assertEquals(1, stats.get("lostAnswers").asInt());
        assertEquals(2, stats.at("/duplicates/+4915100001170").asInt());
    }

    @Test
    void statsListDuplicatesAndResetClearsThem() throws Exception {
        SimHttp http = start(SimHttp.config());
        http.send(invoice("+4915100001180"));
        http.send(invoice("+4915100001180"));
        http.send(invoice("+4915100001181"));

        JsonNode stats = http.stats();
        assertEquals(3, stats.get("acceptedTotal").asInt());
        assertEquals(2, stats.get("recipients").asInt());
        assertEquals("{\"+4915100001180\":2,\"+4915100001181\":1}", stats.get("acceptedByRecipient").toString());
        assertEquals("{\"+4915100001180\":2}", stats.get("duplicates").toString());

        JsonNode afterReset = json(http.post("/sim/reset", "application/json", new byte[0], null));
        assertEquals(0, afterReset.get("acceptedTotal").asInt());
        assertEquals(0, afterReset.get("duplicates").size());
        assertEquals(0, http.stats().get("peakPerSecond").size());
    }

    @Test
    void latencyDelaysAnswersWithoutLosingAny() throws Exception {
        long latencyMillis = 100;
        SimHttp http = start(SimHttp.config().latency(latencyMillis, 30).httpThreads(1));
        List<CompletableFuture<Long>> elapsed = new ArrayList<>();
        Set<String> wamids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 16; i++) {
            String to = "+49151000012" + (10 + i);
            elapsed.add(CompletableFuture.supplyAsync(() -> {
                try {
                    long started = System.nanoTime();
                    HttpResponse<String> response = http.send(invoice(to));
                    long took = System.nanoTime() - started;
                    assertEquals(200, response.statusCode());
                    wamids.add(json(response).at("/messages/0/id").asText());
                    return took;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Long> answer : elapsed) {
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(answer.get(30, TimeUnit.SECONDS));
            // A lower bound only: a loaded machine may take any time longer.
            assertTrue(tookMillis >= latencyMillis, "answered after " + tookMillis + " ms, before the latency of "
                    + latencyMillis + " ms");
        }
        assertEquals(16, wamids.size());
        assertNotEquals(0, http.stats().at("/peakPerSecond/" + SimHttp.PHONE).asInt());
    }
}
