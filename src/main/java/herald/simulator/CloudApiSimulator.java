package herald.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A small, faithful fake of the WhatsApp Cloud API over real HTTP, for tests and load runs of
 * Herald. Run it alone with {@link #main(String[])} or embed it with
 * {@code new CloudApiSimulator(SimulatorConfig.builder()...build()).start()}.
 *
 * <h2>Graph endpoints</h2>
 * Any version of the form {@code vNN.N} is accepted. Every Graph call needs
 * {@code Authorization: Bearer <accessToken>}, otherwise code 190 with HTTP 401. Errors have Meta's
 * shape ({@code error.message, type, code, error_data.details, fbtrace_id}).
 * <ul>
 *   <li>{@code POST /{version}/{phoneNumberId}/messages}, checked in this order:
 *     <ol>
 *       <li>the phone number id must be configured, else code 100;</li>
 *       <li>the body must be JSON;</li>
 *       <li>throughput: at most {@code throughputPerSecond} requests per phone number within any
 *           sliding second, else 130429 with HTTP 400 (as Meta often answers); a refused request
 *           does not count, an admitted but invalid one does;</li>
 *       <li>injected failures, one seeded draw per admitted request: a share answered with a bare
 *           HTTP 502 carrying no Graph error, the next share with 131000 (HTTP 500);</li>
 *       <li>payload: {@code messaging_product} "whatsapp" (100), {@code to} present (100) and E.164
 *           with '+' (131009, stricter than Meta, which guesses a country), {@code type}
 *           "template" (131051), template name and language code (100);</li>
 *       <li>template (name, language) in the configured set (132001); status APPROVED, else
 *           PAUSED 132015, DISABLED 132016, anything else 132001;</li>
 *       <li>parameters: the number of header and body parameters must equal the distinct
 *           placeholders of the template's texts (132000); a media header needs one parameter of
 *           the header's type (132012) with exactly one of {@code id} or {@code link} (131008);
 *           NAMED templates need a {@code parameter_name} on every text parameter (100
 *           "Parameter name is missing or empty") naming a placeholder (132000); text may not be
 *           empty (131008) nor hold a newline, tab or more than 4 consecutive spaces (132018);
 *           every URL button whose link ends in a placeholder needs one {@code button} component
 *           ({@code sub_type} "url", its {@code index}) with one text parameter, checked like body
 *           text but without {@code parameter_name}; a missing one, a second one, or one for a
 *           button that takes no parameter gives 132000;</li>
 *       <li>pair rate: more than {@code pairRateMaxSends} accepted sends to one {@code to} within
 *           the pair-rate window give 131056;</li>
 *       <li>accepted: the reference §1 answer with a unique wamid, except that a
 *           {@code lostAnswerShare} of accepted sends are answered HTTP 504, as when the answer is
 *           lost on the way back: the message still counts and still gets its webhooks.</li>
 *     </ol></li>
 *   <li>{@code POST /{version}/{phoneNumberId}/media}: multipart with {@code file}, {@code type} and
 *       {@code messaging_product=whatsapp} (100 when missing); a type or size outside reference §4
 *       gives 131053. Answers {@code {"id": "<digits>"}}.</li>
 *   <li>{@code GET /{version}/{wabaId}/message_templates?limit=N&after=CURSOR}: the configured
 *       templates in order, {@code limit} 25 by default, with {@code paging.cursors.before/after}
 *       and an absolute {@code paging.next} that is absent on the last page.</li>
 * </ul>
 * With latency configured, every Graph answer is held back by latency plus a uniform jitter,
 * without holding a request thread.
 *
 * <h2>Status webhooks</h2>
 * Only with a webhook URL and app secret. Each accepted message gets {@code sent} at once,
 * {@code delivered} and {@code read} after their delays, in reference §6's shape, signed with
 * {@code X-Hub-Signature-256}, echoing {@code biz_opaque_callback_data}, with PMP pricing in the
 * template's category. A recipient whose digits end in a configured suffix (by default 0026,
 * 0049, 0050, 0472) gets a single {@code failed} status with {@code errors[]} carrying the mapped
 * code (131026, 131049, 131050, 130472) and no pricing, since failed messages are not charged.
 * Seeded draws per message decide the irregularities: no {@code delivered}, every status of it
 * sent newest first, and, per status, a second copy a little later. Statuses that fall due
 * together are batched into one POST. A POST not answered 200 is posted again, byte for byte, after
 * a doubling backoff, until the configured number of attempts is spent.
 *
 * <h2>Control endpoints</h2>
 * {@code GET /sim/stats}: {@code acceptedTotal}, {@code recipients}, {@code acceptedByRecipient}
 * and {@code duplicates} (both {@code to} → accepted count; duplicates only above 1),
 * {@code peakPerSecond} (phone number id → most requests admitted within one sliding second),
 * {@code rejectionsByCode}, {@code rejectedTotal}, {@code serverErrors} (bare 502s),
 * {@code lostAnswers}, {@code mediaUploads}, {@code webhooks.ok/failed/abandoned/statusesDelivered/pending}
 * ({@code pending}: statuses neither answered 200 nor abandoned yet, one being posted included).
 * {@code POST /sim/reset} clears the stats and the throughput and pair-rate windows.
 * {@code GET|POST /sim/config} reads or changes {@code throughputPerSecond},
 * {@code serverErrorShare}, {@code transientErrorShare} and {@code lostAnswerShare}.
 */
public final class CloudApiSimulator {

    private static final Pattern VERSION = Pattern.compile("v\\d+\\.\\d+");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern FORBIDDEN_TEXT = Pattern.compile("[\\n\\t]| {5}");
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int DEFAULT_PAGE_SIZE = 25;
    private static final long MEDIA_ID_BASE = 900_000_000_000_000L;
    private static final String CURSOR_PREFIX = "sim:";
    private static final byte[] BAD_GATEWAY =
            "<html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GATEWAY_TIMEOUT =
            "<html><body><h1>504 Gateway Time-out</h1></body></html>".getBytes(StandardCharsets.US_ASCII);
    private static final long MB = 1024 * 1024;
    private static final Map<String, Long> MEDIA_LIMITS = Map.ofEntries(
            Map.entry("image/jpeg", 5 * MB), Map.entry("image/png", 5 * MB),
            Map.entry("video/mp4", 16 * MB), Map.entry("video/3gpp", 16 * MB),
            Map.entry("application/pdf", 100 * MB), Map.entry("text/plain", 100 * MB),
            Map.entry("application/msword", 100 * MB),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", 100 * MB),
            Map.entry("application/vnd.ms-excel", 100 * MB),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 100 * MB),
            Map.entry("application/vnd.ms-powerpoint", 100 * MB),
            Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation", 100 * MB));
    private static final Map<Integer, String> FAILURE_TITLES = Map.of(
            131026, "Message undeliverable.",
            131049, "This message was not delivered to maintain healthy ecosystem engagement.",
            131050, "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
                    + "messages on WhatsApp from your business.",
            130472, "User's number is part of an experiment");

    private final SimulatorConfig config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SimStats stats = new SimStats();
    private final Map<String, SimTemplate> templatesByKey = new HashMap<>();
    private final ConcurrentHashMap<String, SlidingWindow> throughputWindows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SlidingWindow> pairRateWindows = new ConcurrentHashMap<>();
    private final Random failureDraws;
    private final Random webhookDraws;
    private final long instanceId = new Random().nextLong();
    private final AtomicLong wamids = new AtomicLong();
    private final AtomicLong traces = new AtomicLong();
    private final AtomicLong mediaIds = new AtomicLong();
    private final WebhookSender webhooks;

    private volatile int throughputPerSecond;
    private volatile double serverErrorShare;
    private volatile double transientErrorShare;
    private volatile double lostAnswerShare;

    private HttpServer server;
    private ExecutorService requestThreads;
    private ScheduledExecutorService answerDelays;

    public CloudApiSimulator(SimulatorConfig config) {
        this.config = config;
        for (SimTemplate template : config.templates) {
            templatesByKey.put(template.name() + "/" + template.language(), template);
        }
        failureDraws = new Random(config.seed);
        webhookDraws = new Random(config.seed + 1);
        webhooks = config.webhookUrl == null ? null : new WebhookSender(config, stats, mapper);
        throughputPerSecond = config.throughputPerSecond;
        serverErrorShare = config.serverErrorShare;
        transientErrorShare = config.transientErrorShare;
        lostAnswerShare = config.lostAnswerShare;
    }

    public static void main(String[] args) throws IOException {
        SimulatorConfig config;
        try {
            config = SimulatorEnvironment.read(System.getenv(), args).build();
        } catch (IllegalArgumentException e) {
            System.err.println("Cloud API simulator not started: " + e.getMessage());
            System.exit(2);
            return;
        }
        CloudApiSimulator simulator = new CloudApiSimulator(config).start();
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::stop));
        System.out.printf("Cloud API simulator on %s (WABA %s, phone numbers %s, webhooks %s)%n",
                simulator.baseUrl(), config.wabaId(), config.phoneNumbers().keySet(),
                config.webhookUrl == null ? "off" : config.webhookUrl);
    }

    public synchronized CloudApiSimulator start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        preferNoDelay();
        requestThreads = Executors.newFixedThreadPool(config.httpThreads, named("sim-http"));
        answerDelays = Executors.newSingleThreadScheduledExecutor(named("sim-latency"));
        server = HttpServer.create(new InetSocketAddress(config.bindAddress, config.port), 1024);
        server.setExecutor(requestThreads);
        server.createContext("/", this::graph);
        server.createContext("/sim/", this::control);
        server.start();
        if (webhooks != null) {
            webhooks.start();
        }
        return this;
    }

    /**
     * The JDK server writes the headers and the body of an answer as two segments; without
     * TCP_NODELAY, Nagle's algorithm holds the body until the client's delayed ACK, adding about
     * 40 ms to every answer. The JDK reads this property once, when its first server starts, so a
     * process that starts another HttpServer before the simulator must call this first.
     */
    public static void preferNoDelay() {
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        requestThreads.shutdownNow();
        answerDelays.shutdownNow();
        if (webhooks != null) {
            try {
                webhooks.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server = null;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}, the {@code base} that Herald puts before the version. */
    public String baseUrl() {
        return "http://" + config.bindAddress + ":" + port();
    }

    /** The same JSON as {@code GET /sim/stats}. */
    public JsonNode stats() {
        return stats.toJson(() -> webhooks == null ? 0 : webhooks.pending());
    }

    private void graph(HttpExchange exchange) {
        Reply reply;
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            reply = route(exchange, body);
        } catch (GraphError e) {
            stats.rejected(e.code);
            reply = json(e.httpStatus, errorJson(e));
        } catch (IOException e) {
            exchange.close();
            return;
        }
        long delay = config.latencyMillis
                + (config.jitterMillis > 0 ? ThreadLocalRandom.current().nextLong(config.jitterMillis + 1) : 0);
        if (delay > 0) {
            Reply delayed = reply;
            answerDelays.schedule(() -> write(exchange, delayed), delay, TimeUnit.MILLISECONDS);
        } else {
            write(exchange, reply);
        }
    }

    private Reply route(HttpExchange exchange, byte[] body) throws GraphError {
        String[] segments = exchange.getRequestURI().getRawPath().split("/");
        if (segments.length != 4 || !segments[0].isEmpty() || !VERSION.matcher(segments[1]).matches()) {
            throw new GraphError(400, 2500, "Unknown path components: " + exchange.getRequestURI().getRawPath(), null);
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.equals("Bearer " + config.accessToken)) {
            throw new GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token", null);
        }
        String method = exchange.getRequestMethod();
        String objectId = segments[2];
        switch (segments[3]) {
            case "messages":
                requireMethod(method, "POST");
                requirePhoneNumber(objectId);
                return send(objectId, body);
            case "media":
                requireMethod(method, "POST");
                requirePhoneNumber(objectId);
                return upload(exchange.getRequestHeaders().getFirst("Content-Type"), body);
            case "message_templates":
                requireMethod(method, "GET");
                if (!objectId.equals(config.wabaId)) {
                    throw unknownObject(method, objectId);
                }
                return listTemplates(exchange, segments[1]);
            default:
                throw new GraphError(400, 2500, "Unknown path components: /" + segments[3], null);
        }
    }

    private Reply send(String phoneNumberId, byte[] body) throws GraphError {
        JsonNode request = readJson(body);
        int inWindow = throughputWindows.computeIfAbsent(phoneNumberId, k -> new SlidingWindow())
                .tryAdmit(config.nanoClock.getAsLong(), SECOND_NANOS, throughputPerSecond);
        if (inWindow < 0) {
            throw invalid(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached.");
        }
        stats.inWindow(phoneNumberId, inWindow);
        double draw = failureDraws.nextDouble();
        if (draw < serverErrorShare) {
            stats.serverError();
            return new Reply(502, "text/html", BAD_GATEWAY);
        }
        if (draw < serverErrorShare + transientErrorShare) {
            throw new GraphError(500, 131000, "(#131000) Something went wrong", "Something went wrong");
        }
        SimTemplate template = validate(request);
        String to = request.get("to").asText();
        long windowNanos = TimeUnit.MILLISECONDS.toNanos(config.pairRateWindowMillis);
        if (pairRateWindows.computeIfAbsent(to, k -> new SlidingWindow())
                .tryAdmit(config.nanoClock.getAsLong(), windowNanos, config.pairRateMaxSends) < 0) {
            throw invalid(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                    "Message failed to send because there were too many messages sent from this phone number "
                            + "to the same phone number in a short period of time.");
        }
        String wamid = nextWamid();
        String waId = to.substring(1);
        stats.accepted(to);
        if (webhooks != null) {
            scheduleStatuses(phoneNumberId, wamid, waId, request.get("biz_opaque_callback_data"), template);
        }
        if (lostAnswerShare > 0 && failureDraws.nextDouble() < lostAnswerShare) {
            stats.lostAnswer();
            return new Reply(504, "text/html", GATEWAY_TIMEOUT);
        }
        ObjectNode answer = mapper.createObjectNode();
        answer.put("messaging_product", "whatsapp");
        ObjectNode contact = answer.putArray("contacts").addObject();
        contact.put("input", to);
        contact.put("wa_id", waId);
        ObjectNode message = answer.putArray("messages").addObject();
        message.put("id", wamid);
        message.put("message_status", "accepted");
        return json(200, answer);
    }

    private SimTemplate validate(JsonNode request) throws GraphError {
        if (!"whatsapp".equals(request.path("messaging_product").asText(null))) {
            throw invalid(100, "(#100) The parameter messaging_product is required.",
                    "messaging_product must be \"whatsapp\"");
        }
        String to = request.path("to").asText("");
        if (to.isEmpty()) {
            throw invalid(100, "(#100) The parameter to is required.", null);
        }
        if (!E164.matcher(to).matches()) {
            throw invalid(131009, "(#131009) Parameter value is not valid",
                    "to must be E.164 with a leading '+': " + to);
        }
        if (!"template".equals(request.path("type").asText(null))) {
            throw invalid(131051, "(#131051) Unsupported message type", "the simulator only sends template messages");
        }
        JsonNode templateNode = request.path("template");
        String name = templateNode.path("name").asText("");
        if (name.isEmpty()) {
            throw invalid(100, "(#100) The parameter template['name'] is required.", null);
        }
        String language = templateNode.path("language").path("code").asText("");
        if (language.isEmpty()) {
            throw invalid(100, "(#100) The parameter template['language']['code'] is required.", null);
        }
        SimTemplate template = templatesByKey.get(name + "/" + language);
        if (template == null) {
            throw invalid(132001, "(#132001) Template name does not exist in the translation",
                    "template name (" + name + ") does not exist in " + language);
        }
        switch (template.status()) {
            case "APPROVED":
                break;
            case "PAUSED":
                throw invalid(132015, "(#132015) Template is Paused",
                        "Template is paused due to low quality so it cannot be sent in a template message");
            case "DISABLED":
                throw invalid(132016, "(#132016) Template is disabled",
                        "Template has been paused too many times due to low quality and is now permanently disabled");
            default:
                throw invalid(132001, "(#132001) Template name does not exist in the translation",
                        "template " + name + " (" + language + ") is " + template.status() + ", not APPROVED");
        }
        JsonNode header = null;
        JsonNode body = null;
        Map<String, JsonNode> buttons = new HashMap<>();
        for (JsonNode component : templateNode.path("components")) {
            String type = component.path("type").asText("").toLowerCase(Locale.ROOT);
            JsonNode parameters = component.path("parameters");
            if (!parameters.isMissingNode() && !parameters.isArray()) {
                throw invalid(100, "(#100) Invalid parameter", type + " parameters must be an array");
            }
            if (type.equals("header")) {
                header = parameters;
            } else if (type.equals("body")) {
                body = parameters;
            } else if (type.equals("button")) {
                String index = component.path("index").asText("");
                if (!"url".equals(component.path("sub_type").asText(null)) || buttons.containsKey(index)) {
                    throw invalid(132000, "(#132000) Number of parameters does not match the expected number of params",
                            "button " + index + ": not one url button component");
                }
                buttons.put(index, parameters.isMissingNode() ? null : parameters);
            } else {
                throw invalid(100, "(#100) Invalid parameter", "unknown component type: " + type);
            }
        }
        switch (template.headerFormat()) {
            case "NONE":
            case "TEXT":
                checkTextParameters(header, template.headerPlaceholders(), "header", template.named());
                break;
            default:
                checkMediaHeader(header, template.headerFormat().toLowerCase(Locale.ROOT));
        }
        checkTextParameters(body, template.bodyPlaceholders(), "body", template.named());
        for (int index : template.dynamicUrlButtons()) {
            checkTextParameters(buttons.remove(Integer.toString(index)), List.of("1"), "button " + index, false);
        }
        if (!buttons.isEmpty()) {
            throw invalid(132000, "(#132000) Number of parameters does not match the expected number of params",
                    "button " + buttons.keySet().iterator().next() + ": the template has no URL button there that takes a parameter");
        }
        return template;
    }

    private static void checkMediaHeader(JsonNode parameters, String type) throws GraphError {
        if (parameters == null || parameters.size() != 1 || !type.equals(parameters.get(0).path("type").asText())) {
            throw invalid(132012, "(#132012) Parameter format does not match format in the created template",
                    "header: format mismatch, expected " + type.toUpperCase(Locale.ROOT));
        }
        JsonNode media = parameters.get(0).path(type);
        boolean hasId = !media.path("id").asText("").isEmpty();
        boolean hasLink = !media.path("link").asText("").isEmpty();
        if (hasId == hasLink) {
            throw invalid(131008, "(#131008) Required parameter is missing",
                    "header " + type + " needs exactly one of id or link");
        }
    }

    private static void checkTextParameters(JsonNode parameters, List<String> placeholders, String where,
                                            boolean named) throws GraphError {
        int count = parameters == null ? 0 : parameters.size();
        if (count != placeholders.size()) {
            throw invalid(132000, "(#132000) Number of parameters does not match the expected number of params",
                    where + ": number of localizable_params (" + count
                            + ") does not match the expected number of params (" + placeholders.size() + ")");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            JsonNode parameter = parameters.get(i);
            String type = parameter.path("type").asText("");
            if (named) {
                String name = parameter.path("parameter_name").asText("");
                if (name.isEmpty()) {
                    throw invalid(100, "(#100) Parameter name is missing or empty", "Parameter name is missing or empty");
                }
                if (!placeholders.contains(name) || !seen.add(name)) {
                    throw invalid(132000, "(#132000) Number of parameters does not match the expected number of params",
                            where + ": parameter_name " + name + " does not name a placeholder once");
                }
            }
            if (type.equals("currency") || type.equals("date_time")) {
                continue;
            }
            if (!type.equals("text")) {
                throw invalid(132012, "(#132012) Parameter format does not match format in the created template",
                        where + ": parameter " + i + " has type " + type);
            }
            String text = parameter.path("text").asText("");
            if (text.isEmpty()) {
                throw invalid(131008, "(#131008) Required parameter is missing",
                        where + ": parameter " + i + " has no text");
            }
            if (FORBIDDEN_TEXT.matcher(text).find()) {
                throw invalid(132018, "(#132018) There was an issue with the parameters in your template.",
                        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces");
            }
        }
    }

    private void scheduleStatuses(String phoneNumberId, String wamid, String waId, JsonNode callbackData,
                                  SimTemplate template) {
        long now = System.currentTimeMillis();
        Integer failure = asyncFailure(waId);
        if (failure != null) {
            ObjectNode failed = status(wamid, "failed", now, waId, callbackData);
            ObjectNode error = failed.putArray("errors").addObject();
            String title = FAILURE_TITLES.getOrDefault(failure, "Message failed to send");
            error.put("code", failure);
            error.put("title", title);
            error.put("message", title);
            error.putObject("error_data").put("details", title);
            emit(phoneNumberId, failed, 0);
            return;
        }
        boolean newestFirst = webhookDraws.nextDouble() < config.outOfOrderShare;
        boolean skipDelivered = webhookDraws.nextDouble() < config.skippedDeliveredShare;
        long[] after = {0, config.deliveredAfterMillis, config.readAfterMillis};
        String[] states = {"sent", "delivered", "read"};
        for (int i = 0; i < states.length; i++) {
            if (i == 1 && skipDelivered) {
                continue;
            }
            ObjectNode status = status(wamid, states[i], now + after[i], waId, callbackData);
            ObjectNode pricing = status.putObject("pricing");
            pricing.put("billable", true);
            pricing.put("pricing_model", "PMP");
            pricing.put("category", template.category().toLowerCase(Locale.ROOT));
            pricing.put("type", "regular");
            emit(phoneNumberId, status, newestFirst ? after[2] - after[i] : after[i]);
        }
    }

    private ObjectNode status(String wamid, String state, long epochMillis, String waId, JsonNode callbackData) {
        ObjectNode status = mapper.createObjectNode();
        status.put("id", wamid);
        status.put("status", state);
        status.put("timestamp", String.valueOf(epochMillis / 1000));
        status.put("recipient_id", waId);
        if (callbackData != null && callbackData.isTextual()) {
            status.set("biz_opaque_callback_data", callbackData);
        }
        return status;
    }

    private void emit(String phoneNumberId, ObjectNode status, long delayMillis) {
        webhooks.enqueue(phoneNumberId, status, delayMillis);
        if (webhookDraws.nextDouble() < config.duplicateShare) {
            // Due after the original's batch has been gathered, so the copy arrives in a later POST.
            webhooks.enqueue(phoneNumberId, status, delayMillis + config.webhookLingerMillis + 1);
        }
    }

    private Integer asyncFailure(String waId) {
        for (Map.Entry<String, Integer> rule : config.asyncFailures.entrySet()) {
            if (waId.endsWith(rule.getKey())) {
                return rule.getValue();
            }
        }
        return null;
    }

    private Reply upload(String contentType, byte[] body) throws GraphError {
        Map<String, byte[]> parts;
        try {
            parts = Multipart.parse(contentType, body);
        } catch (IllegalArgumentException e) {
            throw invalid(100, "(#100) Invalid parameter", e.getMessage());
        }
        if (!"whatsapp".equals(text(parts.get("messaging_product")))) {
            throw invalid(100, "(#100) The parameter messaging_product is required.", null);
        }
        byte[] file = parts.get("file");
        if (file == null) {
            throw invalid(100, "(#100) The parameter file is required.", null);
        }
        String type = text(parts.get("type"));
        if (type == null) {
            throw invalid(100, "(#100) The parameter type is required.", null);
        }
        Long limit = MEDIA_LIMITS.get(type);
        if (limit == null) {
            throw invalid(131053, "(#131053) Media upload error", "unsupported type " + type);
        }
        if (file.length == 0 || file.length > limit) {
            throw invalid(131053, "(#131053) Media upload error",
                    "file of " + file.length + " bytes; " + type + " takes 1 to " + limit);
        }
        stats.mediaUploaded();
        ObjectNode answer = mapper.createObjectNode();
        answer.put("id", String.valueOf(MEDIA_ID_BASE + mediaIds.incrementAndGet()));
        return json(200, answer);
    }

    private Reply listTemplates(HttpExchange exchange, String version) throws GraphError {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int limit = DEFAULT_PAGE_SIZE;
        int start = 0;
        try {
            if (query.containsKey("limit")) {
                limit = Integer.parseInt(query.get("limit"));
            }
            if (query.containsKey("after")) {
                String cursor = new String(Base64.getUrlDecoder().decode(query.get("after")), StandardCharsets.UTF_8);
                if (!cursor.startsWith(CURSOR_PREFIX)) {
                    throw new IllegalArgumentException(cursor);
                }
                start = Integer.parseInt(cursor.substring(CURSOR_PREFIX.length())) + 1;
            }
        } catch (IllegalArgumentException e) {
            throw invalid(100, "(#100) Invalid parameter", "limit must be a number and after a cursor from paging");
        }
        if (limit < 1 || start < 0) {
            throw invalid(100, "(#100) Invalid parameter", "limit must be positive");
        }
        List<SimTemplate> all = config.templates;
        int end = Math.min(all.size(), start + limit);
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode data = answer.putArray("data");
        for (int i = start; i < end; i++) {
            data.add(all.get(i).toGraphJson());
        }
        if (start < end) {
            ObjectNode paging = answer.putObject("paging");
            ObjectNode cursors = paging.putObject("cursors");
            cursors.put("before", cursor(start));
            cursors.put("after", cursor(end - 1));
            if (end < all.size()) {
                String host = exchange.getRequestHeaders().getFirst("Host");
                paging.put("next", "http://" + (host == null ? config.bindAddress + ":" + port() : host)
                        + "/" + version + "/" + config.wabaId + "/message_templates?limit=" + limit
                        + "&after=" + cursor(end - 1));
            }
        }
        return json(200, answer);
    }

    private void control(HttpExchange exchange) {
        Reply reply;
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/sim/stats") && method.equals("GET")) {
                reply = json(200, stats());
            } else if (path.equals("/sim/reset") && method.equals("POST")) {
                stats.reset();
                throughputWindows.clear();
                pairRateWindows.clear();
                reply = json(200, stats());
            } else if (path.equals("/sim/config") && method.equals("GET")) {
                reply = json(200, runtimeConfig());
            } else if (path.equals("/sim/config") && method.equals("POST")) {
                reply = reconfigure(body);
            } else {
                reply = json(404, mapper.createObjectNode().put("error", "no such control endpoint: " + method + " " + path));
            }
        } catch (IOException e) {
            exchange.close();
            return;
        }
        write(exchange, reply);
    }

    private Reply reconfigure(byte[] body) {
        try {
            JsonNode changes = mapper.readTree(body);
            if (changes == null || !changes.isObject()) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            int cap = throughputPerSecond;
            double server = serverErrorShare;
            double transientShare = transientErrorShare;
            double lost = lostAnswerShare;
            for (Map.Entry<String, JsonNode> change : (Iterable<Map.Entry<String, JsonNode>>) changes::fields) {
                JsonNode value = change.getValue();
                if (!value.isNumber()) {
                    throw new IllegalArgumentException(change.getKey() + " must be a number");
                }
                switch (change.getKey()) {
                    case "throughputPerSecond":
                        cap = value.asInt();
                        if (cap < 1 || !value.isIntegralNumber()) {
                            throw new IllegalArgumentException("throughputPerSecond must be a positive integer");
                        }
                        break;
                    case "serverErrorShare":
                        server = SimulatorConfig.Builder.share(value.asDouble(), "serverErrorShare");
                        break;
                    case "transientErrorShare":
                        transientShare = SimulatorConfig.Builder.share(value.asDouble(), "transientErrorShare");
                        break;
                    case "lostAnswerShare":
                        lost = SimulatorConfig.Builder.share(value.asDouble(), "lostAnswerShare");
                        break;
                    default:
                        throw new IllegalArgumentException("unknown setting " + change.getKey());
                }
            }
            throughputPerSecond = cap;
            serverErrorShare = server;
            transientErrorShare = transientShare;
            lostAnswerShare = lost;
            return json(200, runtimeConfig());
        } catch (IOException | IllegalArgumentException e) {
            return json(400, mapper.createObjectNode().put("error", e.getMessage()));
        }
    }

    private ObjectNode runtimeConfig() {
        ObjectNode node = mapper.createObjectNode();
        node.put("throughputPerSecond", throughputPerSecond);
        node.put("serverErrorShare", serverErrorShare);
        node.put("transientErrorShare", transientErrorShare);
        node.put("lostAnswerShare", lostAnswerShare);
        return node;
    }

    private JsonNode readJson(byte[] body) throws GraphError {
        try {
            JsonNode node = mapper.readTree(body);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // Meta answers an unreadable body and a body that is not an object alike.
        }
        throw invalid(100, "(#100) Invalid parameter", "the body must be a JSON object");
    }

    private void requirePhoneNumber(String phoneNumberId) throws GraphError {
        if (!config.phoneNumbers.containsKey(phoneNumberId)) {
            throw unknownObject("POST", phoneNumberId);
        }
    }

    private static void requireMethod(String method, String expected) throws GraphError {
        if (!method.equals(expected)) {
            throw invalid(100, "Unsupported " + method.toLowerCase(Locale.ROOT) + " request.", null);
        }
    }

    private static GraphError unknownObject(String method, String id) {
        return invalid(100, "Unsupported " + method.toLowerCase(Locale.ROOT) + " request. Object with ID '" + id
                + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                null);
    }

    private static GraphError invalid(int code, String message, String details) {
        return new GraphError(400, code, message, details);
    }

    private ObjectNode errorJson(GraphError e) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", "OAuthException");
        error.put("code", e.code);
        if (e.details != null) {
            ObjectNode data = error.putObject("error_data");
            data.put("messaging_product", "whatsapp");
            data.put("details", e.details);
        }
        error.put("fbtrace_id", "Sim" + Long.toString(traces.incrementAndGet(), 36));
        return root;
    }

    private String nextWamid() {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(instanceId).putLong(wamids.incrementAndGet());
        return "wamid." + Base64.getEncoder().encodeToString(bytes.array());
    }

    private static String cursor(int index) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + index).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static String text(byte[] part) {
        return part == null ? null : new String(part, StandardCharsets.UTF_8).trim();
    }

    private Reply json(int status, JsonNode node) {
        try {
            return new Reply(status, "application/json", mapper.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings cannot fail to serialise", e);
        }
    }

    private static void write(HttpExchange exchange, Reply reply) {
        try {
            exchange.getResponseHeaders().set("Content-Type", reply.contentType);
            exchange.sendResponseHeaders(reply.status, reply.body.length == 0 ? -1 : reply.body.length);
            exchange.getResponseBody().write(reply.body);
        } catch (IOException e) {
            // the client went away; nothing to tell it
        } finally {
            exchange.close();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private record Reply(int status, String contentType, byte[] body) {
    }

    /** A refused Graph call; carries no stack trace because it is an answer, not a fault. */
    private static final class GraphError extends Exception {
        final int httpStatus;
        final int code;
        final String details;

        GraphError(int httpStatus, int code, String message, String details) {
            super(message, null, false, false);
            this.httpStatus = httpStatus;
            this.code = code;
            this.details = details;
        }
    }
}
