package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.simulator.SimTemplate;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;

/**
 * Accounts, templates, files and campaigns for the dispatch tests, made through Herald's REST API
 * as an operator would, and waits for what Herald does asynchronously. Names are unique per call:
 * the Herald is shared by every test in the JVM.
 */
final class DispatchFixture implements AutoCloseable {

    // German mobile numbers, +49 151 and eight digits; a counter keeps every test's recipients apart.
    private static final AtomicLong NUMBERS = new AtomicLong(10_000_000L + System.nanoTime() % 40_000_000L);
    private static final AtomicLong SUFFIXED = new AtomicLong(System.nanoTime() % 10_000);
    private static final Set<String> ASYNC_FAILURE_SUFFIXES = Set.of("0026", "0049", "0050", "0472");

    final HeraldServer herald = HeraldServer.shared();
    final ApiClient api = herald.admin();
    private final List<String> campaigns = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** A simulator (or proxy) that {@link #close()} stops once the test's campaigns are stopped. */
    <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Cancels whatever campaign of the test is still running, then stops its simulators: a test
     * that failed half way must not leave sends (and their retries) behind for the next test.
     */
    @Override
    public void close() throws Exception {
        for (String campaign : campaigns) {
            String status = status(campaign);
            if (status.equals("Queued") || status.equals("In Progress") || status.equals("Paused")) {
                api.post("/api/campaigns/" + campaign + "/cancel", Map.of());
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    /** A test size: the system property when given (the full sizes), else the CI size. */
    static int size(String property, int ciDefault) {
        return Integer.getInteger(property, ciDefault);
    }

    /**
     * Distinct E.164 numbers. None ends in a suffix the simulator fails by webhook, so only a test
     * that asks for such a number gets one.
     */
    static List<String> numbers(int count) {
        List<String> numbers = new ArrayList<>(count);
        while (numbers.size() < count) {
            String number = "+49151" + String.format("%08d", NUMBERS.incrementAndGet() % 100_000_000L);
            if (!ASYNC_FAILURE_SUFFIXES.contains(number.substring(10))) {
                numbers.add(number);
            }
        }
        return numbers;
    }

    /** A number ending in the given four digits, unused so far. */
    static String numberEndingIn(String suffix) {
        return "+49151" + String.format("%04d", SUFFIXED.incrementAndGet() % 10_000) + suffix;
    }

    long account(FakeMeta meta, int messagesPerSecond) {
        return account(meta, messagesPerSecond, null);
    }

    /** An account sending through {@code meta}; with an app secret, webhooks signed with it are Herald's to trust. */
    long account(FakeMeta meta, int messagesPerSecond, String appSecret) {
        return account(meta, messagesPerSecond, appSecret, meta.baseUrl());
    }

    /** As above, calling {@code meta} at another base URL (a proxy in front of it). */
    long account(FakeMeta meta, int messagesPerSecond, String appSecret, String apiBaseUrl) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", HeraldServer.unique("Dispatch account"));
        body.put("phoneNumberId", meta.phoneNumberId);
        body.put("wabaId", meta.wabaId);
        body.put("accessToken", meta.accessToken);
        body.put("apiBaseUrl", apiBaseUrl);
        body.put("messagesPerSecond", messagesPerSecond);
        if (appSecret != null) {
            body.put("appSecret", appSecret);
        }
        return api.post("/api/accounts", body).json(201).path("id").asLong();
    }

    String accountName(long accountId) {
        return api.get("/api/accounts/" + accountId).json(200).path("name").asText();
    }

    void updateAccount(long accountId, Map<String, Object> changes) {
        api.put("/api/accounts/" + accountId, changes).expect(200);
    }

    /** Registers in Herald the template the simulator knows as {@code template}, under an account. */
    long template(long accountId, SimTemplate template) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", accountId);
        body.put("name", template.name());
        body.put("language", template.language());
        // Herald's copy is APPROVED whatever the simulator says: Meta's side is what changes under a campaign.
        body.put("status", "APPROVED");
        body.put("category", template.category());
        body.put("parameterFormat", template.parameterFormat());
        body.put("components", new ObjectMapper().convertValue(template.toGraphJson().get("components"), List.class));
        return api.post("/api/templates", body).json(201).path("id").asLong();
    }

    /** A small, well-formed PDF uploaded through POST /api/files; answers its id. */
    long uploadPdf(String name) {
        String text = """
                %PDF-1.4
                1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
                2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
                trailer << /Root 1 0 R >>
                %%EOF
                """;
        return api.postBytes("/api/files?name=" + name, "application/pdf", text.getBytes(StandardCharsets.US_ASCII))
                .json(201).path("id").asLong();
    }

    /** Individual Recipients rows: number, name, and Recipient Data when given. */
    static List<Map<String, Object>> recipients(List<String> numbers, Function<String, Map<String, Object>> data) {
        List<Map<String, Object>> rows = new ArrayList<>(numbers.size());
        for (String number : numbers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("mobileNumber", number);
            row.put("recipientName", "Customer " + number.substring(number.length() - 4));
            Map<String, Object> values = data == null ? null : data.apply(number);
            if (values != null) {
                row.put("recipientData", values);
            }
            rows.add(row);
        }
        return rows;
    }

    /** A Common campaign to Individual Recipients with the given values for every recipient. */
    String commonCampaign(long templateId, Long accountId, Map<String, Object> values, List<String> numbers, Long fileId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Dispatch test");
        body.put("recipientType", "Individual Recipients");
        body.put("variableType", "Common");
        body.put("templateId", templateId);
        if (accountId != null) {
            body.put("accountId", accountId);
        }
        body.put("templateVariables", values);
        if (fileId != null) {
            body.put("attachmentFileId", fileId);
        }
        body.put("recipients", recipients(numbers, null));
        return createCampaign(body);
    }

    String createCampaign(Map<String, Object> body) {
        String name = api.post("/api/campaigns", body).json(201).path("name").asText();
        campaigns.add(name);
        return name;
    }

    void submit(String campaign) {
        api.post("/api/campaigns/" + campaign + "/submit", Map.of()).expect(202);
    }

    JsonNode campaign(String name) {
        return api.get("/api/campaigns/" + name).json(200);
    }

    JsonNode progress(String name) {
        return api.get("/api/campaigns/" + name + "/progress").json(200);
    }

    String status(String name) {
        return campaign(name).path("status").asText();
    }

    /** Waits until the campaign has one of the statuses; answers its progress then. */
    JsonNode awaitStatus(String name, Duration limit, String... statuses) {
        Set<String> wanted = Set.of(statuses);
        JsonNode[] last = new JsonNode[1];
        await("campaign " + name + " to become one of " + wanted, limit, () -> {
            last[0] = progress(name);
            return wanted.contains(last[0].path("status").asText());
        }, () -> String.valueOf(last[0]));
        return last[0];
    }

    /** Waits until no message of the campaign is being sent, waiting for a retry or queued. */
    void awaitNothingInFlight(String name, Duration limit) {
        await("messages of " + name + " to settle", limit,
                () -> countMessages(name, "Queued", "Sending", "Retrying") == 0, () -> messageCounts(name).toString());
    }

    long countMessages(String campaign, String... statuses) {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < statuses.length; i++) {
            in.append(i == 0 ? "?" : ", ?");
        }
        Object[] params = new Object[statuses.length + 1];
        params[0] = campaign;
        System.arraycopy(statuses, 0, params, 1, statuses.length);
        return ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM whatsapp_message m JOIN bulk_whatsapp_message c "
                + "ON c.id = m.bulk_message_reference WHERE c.name = ? AND m.status IN (" + in + ")", params)
                .get("n")).longValue();
    }

    Map<String, Long> messageCounts(String campaign) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, Object> row : herald.query("SELECT m.status, COUNT(*) AS n FROM whatsapp_message m "
                + "JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference WHERE c.name = ? GROUP BY m.status",
                campaign)) {
            counts.put((String) row.get("status"), ((Number) row.get("n")).longValue());
        }
        return counts;
    }

    /** The campaign's message rows: number → status, error code, attempts. */
    Map<String, Map<String, Object>> messages(String campaign) {
        Map<String, Map<String, Object>> byNumber = new LinkedHashMap<>();
        for (Map<String, Object> row : herald.query("SELECT m.mobile_number, m.status, m.error_code, m.attempts, m.wamid "
                + "FROM whatsapp_message m JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference "
                + "WHERE c.name = ? ORDER BY m.seq", campaign)) {
            byNumber.put((String) row.get("mobile_number"), row);
        }
        return byNumber;
    }

    Set<String> numbersWithStatus(String campaign, String status) {
        Set<String> numbers = new HashSet<>();
        for (Map<String, Object> row : herald.query("SELECT m.mobile_number FROM whatsapp_message m "
                + "JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference WHERE c.name = ? AND m.status = ?",
                campaign, status)) {
            numbers.add((String) row.get("mobile_number"));
        }
        return numbers;
    }

    /**
     * Polls until the condition holds. The limit only stops a broken build from hanging; it is
     * far above what a working one needs, and no test asserts how fast anything was.
     */
    static void await(String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + " after " + limit + "; last seen: " + state.get());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** A hang guard for a campaign of this many recipients at this rate: several times what it needs. */
    static Duration limitFor(int recipients, int messagesPerSecond) {
        return Duration.ofSeconds(120 + 5L * recipients / Math.max(1, Math.min(messagesPerSecond, 200)));
    }

    /** Every number accepted exactly once by the simulator, and nothing else accepted. */
    static void assertAcceptedOnceEach(FakeMeta meta, Set<String> expected) {
        Map<String, Long> accepted = meta.acceptedByRecipient();
        Map<String, Long> duplicates = new LinkedHashMap<>();
        accepted.forEach((number, n) -> {
            if (n > 1) {
                duplicates.put(number, n);
            }
        });
        assertEquals(Map.of(), duplicates, "recipients the simulator accepted more than once");
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(accepted.keySet());
        Set<String> unexpected = new HashSet<>(accepted.keySet());
        unexpected.removeAll(expected);
        assertEquals(Set.of(), limited(missing), "recipients never accepted");
        assertEquals(Set.of(), limited(unexpected), "accepted, but not expected");
        assertEquals(meta.stats().path("duplicates").size(), 0, "the simulator's own duplicates");
    }

    private static Set<String> limited(Set<String> set) {
        Set<String> shown = new HashSet<>();
        for (String s : set) {
            if (shown.size() == 20) {
                shown.add("... " + set.size() + " in all");
                break;
            }
            shown.add(s);
        }
        return shown;
    }
}
