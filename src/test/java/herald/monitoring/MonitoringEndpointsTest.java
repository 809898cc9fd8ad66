package herald.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

/**
 * Camel's management server as Hawtio and Prometheus use it, over real HTTP: Jolokia's JSON
 * protocol behind the monitoring credentials and the access policy, metrics, and open health.
 */
class MonitoringEndpointsTest {

    private static final String ROUTE = "org.apache.camel:context=herald,type=routes,name=\"%s\"";
    private static final String CONTEXT = "org.apache.camel:context=herald,type=context,name=\"herald\"";

    private final HeraldServer herald = HeraldServer.shared();
    private final ManagementClient monitoring = ManagementClient.monitoring(herald);
    private final ApiClient api = herald.admin();

    private static Map<String, Object> request(Object... pairs) {
        Map<String, Object> request = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            request.put((String) pairs[i], pairs[i + 1]);
        }
        return request;
    }

    private static JsonNode value(JsonNode answer) {
        assertEquals(200, answer.path("status").asInt(), answer::toString);
        return answer.path("value");
    }

    private static void assertRefusedByPolicy(JsonNode answer) {
        assertEquals(403, answer.path("status").asInt(), answer::toString);
        assertTrue(answer.path("error").asText().contains("forbidden"), answer::toString);
    }

    private long exchangesCompleted(String routeId) {
        return value(monitoring.jolokia(request("type", "read", "mbean", ROUTE.formatted(routeId),
                "attribute", "ExchangesCompleted"))).asLong();
    }

    private String queueMBean(String queue) {
        JsonNode names = value(monitoring.jolokia(request("type", "search",
                "mbean", "org.apache.activemq.artemis:component=addresses,subcomponent=queues,queue=\"" + queue + "\",*")));
        assertEquals(1, names.size(), () -> "one Artemis queue MBean for " + queue + ": " + names);
        return names.get(0).asText();
    }

    private long messageCount(String queue) {
        return value(monitoring.jolokia(request("type", "read", "mbean", queueMBean(queue), "attribute", "MessageCount")))
                .asLong();
    }

    private String metrics() {
        HttpResponse<String> response = monitoring.get("/observe/metrics");
        assertEquals(200, response.statusCode(), response::body);
        return response.body();
    }

    private static double sample(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertTrue(m.find(), () -> "no sample " + series + " in:\n" + metrics);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void jolokiaAndMetricsRefuseRequestsWithoutTheMonitoringCredentials() {
        ManagementClient anonymous = ManagementClient.anonymous(herald);
        List<ManagementClient> strangers = List.of(anonymous, anonymous.basic("monitor", "not-the-password"),
                anonymous.basic(HeraldServer.ADMIN_USER, HeraldServer.ADMIN_PASSWORD));
        for (ManagementClient stranger : strangers) {
            assertEquals(401, stranger.post("/observe/jolokia", "{\"type\":\"version\"}").statusCode());
            assertEquals(401, stranger.get("/observe/jolokia/version").statusCode());
            assertEquals(401, stranger.get("/observe/jolokia/read/java.lang:type=Memory/HeapMemoryUsage").statusCode());
            assertEquals(401, stranger.get("/observe/metrics").statusCode());
        }
        assertEquals(200, anonymous.get("/observe/health").statusCode(), "probes need no credentials");
        assertEquals(200, monitoring.post("/observe/jolokia", "{\"type\":\"version\"}").statusCode());
    }

    @Test
    void searchFindsHeraldsRoutesEachUnderTheIdItWasGiven() {
        List<String> routes = new ArrayList<>();
        value(monitoring.jolokia(request("type", "search", "mbean", "org.apache.camel:type=routes,*")))
                .forEach(name -> routes.add(name.asText()));

        for (String route : List.of("send-whatsapp-message", "attempt-send-to-cloud-api", "aggregate-results-per-campaign",
                "split-campaign-into-messages", "enqueue-message-batch", "api-account-list", "openapi-document")) {
            assertTrue(routes.contains(ROUTE.formatted(route)), () -> route + " in " + routes);
        }
        for (String name : routes) {
            assertFalse(name.matches(".*name=\"route\\d+\".*"), () -> "a route without an id of its own: " + name);
        }
    }

    @Test
    void routeStatisticsCountEachApiCall() {
        long before = exchangesCompleted("api-account-list");
        for (int i = 0; i < 3; i++) {
            api.get("/api/accounts").expect(200);
        }
        assertEquals(before + 3, exchangesCompleted("api-account-list"));
    }

    @Test
    void queueDepthsComeFromTheEmbeddedBrokersMBeans() throws Exception {
        assertTrue(messageCount("herald.send") >= 0);

        // Nothing consumes the dead-letter queue, so a message put there stays until taken back.
        String marker = UUID.randomUUID().toString();
        ProducerTemplate producer = herald.context().createProducerTemplate();
        ConsumerTemplate consumer = herald.context().createConsumerTemplate();
        producer.sendBodyAndHeader("jms:queue:herald.send.DLQ", "monitoring test " + marker, "heraldTestMarker", marker);
        try {
            long count = messageCount("herald.send.DLQ");
            assertTrue(count >= 1, "the message just put on the dead-letter queue");
            assertEquals(count, sample(metrics(), "herald_queue_messages{queue=\"herald.send.DLQ\"}"),
                    "the metric reads the same MBean");
        } finally {
            Object taken = consumer.receiveBody("jms:queue:herald.send.DLQ?selector=heraldTestMarker='" + marker + "'", 10_000);
            assertNotNull(taken, "the test's own message is taken back");
            producer.close();
            consumer.close();
        }
    }

    @Test
    void accessPolicyRefusesJvmOperationsWritesAndRouteSurgery() {
        assertRefusedByPolicy(monitoring.jolokia(request("type", "exec", "mbean", "java.lang:type=Memory", "operation", "gc")));
        assertRefusedByPolicy(monitoring.jolokia(request("type", "write", "mbean", "java.lang:type=Memory",
                "attribute", "Verbose", "value", true)));
        assertRefusedByPolicy(monitoring.jolokia(request("type", "exec", "mbean", "java.util.logging:type=Logging",
                "operation", "setLoggerLevel", "arguments", List.of("", "FINEST"))));
        assertRefusedByPolicy(monitoring.jolokia(request("type", "read", "mbean", "java.lang:type=Runtime",
                "attribute", "SystemProperties")));
        assertRefusedByPolicy(monitoring.jolokia(request("type", "exec", "mbean", ROUTE.formatted("api-account-list"),
                "operation", "remove()")));
        assertRefusedByPolicy(monitoring.jolokia(request("type", "exec", "mbean", CONTEXT,
                "operation", "sendStringBody", "arguments", List.of("direct:api-account-list", "x"))));
        assertRefusedByPolicy(monitoring.jolokia(request("type", "exec", "mbean", queueMBean("herald.send"),
                "operation", "removeAllMessages()")));
    }

    @Test
    void accessPolicyAllowsWhatHawtioReadsAndRunsOnRoutes() {
        assertTrue(value(monitoring.jolokia(request("type", "version"))).has("agent"));
        JsonNode route = value(monitoring.jolokia(request("type", "list",
                "path", "org.apache.camel/context=herald,type=routes,name=\"api-account-list\"")));
        assertTrue(route.path("attr").has("ExchangesCompleted"), route::toString);
        assertTrue(route.path("op").has("start"), route::toString);
        String routesXml = value(monitoring.jolokia(request("type", "exec", "mbean", CONTEXT,
                "operation", "dumpRoutesAsXml()"))).asText();
        assertTrue(routesXml.contains("id=\"send-whatsapp-message\""), routesXml);
        assertTrue(routesXml.contains("id=\"count-send-outcome\""), routesXml);
        String statsXml = value(monitoring.jolokia(request("type", "exec", "mbean", ROUTE.formatted("api-account-list"),
                "operation", "dumpRouteStatsAsXml", "arguments", List.of(true, true)))).asText();
        assertTrue(statsXml.contains("routeStat"), statsXml);
        value(monitoring.jolokia(request("type", "exec", "mbean", ROUTE.formatted("openapi-document"),
                "operation", "reset()")));
        JsonNode queue = value(monitoring.jolokia(request("type", "read", "mbean", queueMBean("herald.send"),
                "attribute", List.of("Address", "RoutingType", "ConsumerCount"))));
        assertEquals("herald.send", queue.path("Address").asText(), queue::toString);
        assertEquals("ANYCAST", queue.path("RoutingType").asText(), queue::toString);
        assertTrue(queue.path("ConsumerCount").isNumber(), queue::toString);
    }

    @Test
    void healthIsUpWithTheDatabaseAndBrokerChecksAsReadinessOnly() throws Exception {
        ManagementClient anonymous = ManagementClient.anonymous(herald);
        Map<String, String> all = checks(anonymous.get("/observe/health?exposureLevel=full"));
        assertEquals("UP", all.get("database"), all::toString);
        assertEquals("UP", all.get("broker"), all::toString);

        Map<String, String> ready = checks(anonymous.get("/observe/health/ready?exposureLevel=full"));
        assertEquals("UP", ready.get("database"), ready::toString);
        assertEquals("UP", ready.get("broker"), ready::toString);

        Map<String, String> live = checks(anonymous.get("/observe/health/live?exposureLevel=full"));
        assertFalse(live.containsKey("database"), "a database outage is no reason to restart Herald: " + live);
        assertFalse(live.containsKey("broker"), live::toString);
    }

    private static Map<String, String> checks(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response::body);
        JsonNode health = ManagementClient.JSON.readTree(response.body());
        assertEquals("UP", health.path("status").asText(), response::body);
        Map<String, String> checks = new LinkedHashMap<>();
        health.path("checks").forEach(c -> checks.put(c.path("name").asText(), c.path("status").asText()));
        return checks;
    }

    @Test
    void metricsCarryHeraldsSeries() {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("name", HeraldServer.unique("Monitored number"));
        account.put("phoneNumberId", "106540352242922");
        account.put("wabaId", "102290129340398");
        account.put("accessToken", "EAAmonitoring" + HeraldServer.unique(""));
        account.put("messagesPerSecond", 40);
        long id = api.post("/api/accounts", account).json(201).path("id").asLong();
        // What the schedule does every few seconds, done now so the test need not wait for it.
        herald.context().getRegistry().lookupByNameAndType("heraldMetrics", HeraldMetrics.class).sample();

        String metrics = metrics();
        assertEquals(0.0, sample(metrics, "herald_cloudapi_throughput_exceeded_total{account_id=\"" + id + "\"}"));
        // 40 messages per second, 0.9 headroom, one node, no 130429 yet
        assertEquals(36.0, sample(metrics, "herald_account_send_rate{account_id=\"" + id + "\"}"), 1e-9);
        assertTrue(sample(metrics, "herald_sends_total{error_code=\"none\",outcome=\"accepted\"}") >= 0);
        assertTrue(sample(metrics, "herald_messages_unconfirmed") >= 0);
        assertTrue(sample(metrics, "herald_webhook_status_events_applied_total") >= 0);
        assertTrue(sample(metrics, "herald_webhook_status_events_matched_total{status=\"Delivered\"}") >= 0);
        assertTrue(sample(metrics, "herald_webhook_status_event_lag_seconds_count") >= 0);
        assertTrue(sample(metrics, "herald_queue_messages{queue=\"herald.send\"}") >= 0);
        assertTrue(metrics.contains("camel_exchanges_total{"), "Camel's own series are served alongside");
    }
}
