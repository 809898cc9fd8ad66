package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One message template as the simulator knows it: the subset of Meta's template object (reference
 * §5) that decides whether a send is valid. {@code headerFormat} is NONE, TEXT, IMAGE, VIDEO or
 * DOCUMENT; {@code headerText} only matters for TEXT. Placeholders are read from the texts and the
 * button links, so the expected parameters can never disagree with what the listing shows.
 */
public record SimTemplate(String id, String name, String language, String status, String category,
                          String parameterFormat, String headerFormat, String headerText, String bodyText,
                          List<Button> buttons) {

    /** One entry of the BUTTONS component; {@code url} only matters for a URL button. */
    public record Button(String type, String text, String url) {

        public Button {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(text, "text");
        }

        public static Button url(String text, String url) {
            return new Button("URL", text, Objects.requireNonNull(url, "url"));
        }

        public static Button quickReply(String text) {
            return new Button("QUICK_REPLY", text, null);
        }

        boolean dynamicUrl() {
            return type.equals("URL") && url != null && PLACEHOLDER.matcher(url).find();
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");
    private static final Set<String> HEADER_FORMATS = Set.of("NONE", "TEXT", "IMAGE", "VIDEO", "DOCUMENT");

    public SimTemplate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(category, "category");
        if (!parameterFormat.equals("POSITIONAL") && !parameterFormat.equals("NAMED")) {
            throw new IllegalArgumentException("parameterFormat must be POSITIONAL or NAMED: " + parameterFormat);
        }
        if (!HEADER_FORMATS.contains(headerFormat)) {
            throw new IllegalArgumentException("headerFormat must be one of " + HEADER_FORMATS + ": " + headerFormat);
        }
        headerText = headerText == null ? "" : headerText;
        bodyText = bodyText == null ? "" : bodyText;
        buttons = List.copyOf(buttons);
    }

    /** A template without buttons. */
    public SimTemplate(String id, String name, String language, String status, String category,
                       String parameterFormat, String headerFormat, String headerText, String bodyText) {
        this(id, name, language, status, category, parameterFormat, headerFormat, headerText, bodyText, List.of());
    }

    public boolean named() {
        return parameterFormat.equals("NAMED");
    }

    public List<String> headerPlaceholders() {
        return headerFormat.equals("TEXT") ? placeholders(headerText) : List.of();
    }

    public List<String> bodyPlaceholders() {
        return placeholders(bodyText);
    }

    /** The indexes of the URL buttons whose link takes a parameter, in the order a send lists them. */
    public List<Integer> dynamicUrlButtons() {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < buttons.size(); i++) {
            if (buttons.get(i).dynamicUrl()) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /** The template as {@code GET /{waba}/message_templates} lists it. */
    public ObjectNode toGraphJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", id);
        node.put("name", name);
        node.put("language", language);
        node.put("status", status);
        node.put("category", category);
        node.put("parameter_format", parameterFormat);
        var components = node.putArray("components");
        if (!headerFormat.equals("NONE")) {
            ObjectNode header = components.addObject();
            header.put("type", "HEADER");
            header.put("format", headerFormat);
            if (headerFormat.equals("TEXT")) {
                header.put("text", headerText);
            }
        }
        ObjectNode body = components.addObject();
        body.put("type", "BODY");
        body.put("text", bodyText);
        if (!buttons.isEmpty()) {
            ObjectNode component = components.addObject();
            component.put("type", "BUTTONS");
            var list = component.putArray("buttons");
            for (Button button : buttons) {
                ObjectNode entry = list.addObject();
                entry.put("type", button.type());
                entry.put("text", button.text());
                if (button.url() != null) {
                    entry.put("url", button.url());
                }
            }
        }
        return node;
    }

    /** Reads a template in the listing's shape, so a real account's listing can seed the simulator. */
    public static SimTemplate fromGraphJson(JsonNode node) {
        String headerFormat = "NONE";
        String headerText = null;
        String bodyText = null;
        List<Button> buttons = new ArrayList<>();
        for (JsonNode component : node.path("components")) {
            String type = component.path("type").asText("").toUpperCase(Locale.ROOT);
            if (type.equals("HEADER")) {
                headerFormat = component.path("format").asText("TEXT").toUpperCase(Locale.ROOT);
                headerText = component.path("text").asText(null);
            } else if (type.equals("BODY")) {
                bodyText = component.path("text").asText(null);
            } else if (type.equals("BUTTONS")) {
                for (JsonNode button : component.path("buttons")) {
                    buttons.add(new Button(button.path("type").asText("").toUpperCase(Locale.ROOT),
                            button.path("text").asText(""), button.path("url").asText(null)));
                }
            }
        }
        return new SimTemplate(required(node, "id"), required(node, "name"), required(node, "language"),
                required(node, "status"), required(node, "category"),
                node.path("parameter_format").asText("POSITIONAL"), headerFormat, headerText, bodyText, buttons);
    }

    /** A small set for running the simulator alone: one template of each kind Herald sends. */
    public static List<SimTemplate> demoSet() {
        return List.of(
                new SimTemplate("1000000001", "invoice_ready", "de", "APPROVED", "UTILITY", "POSITIONAL",
                        "DOCUMENT", null, "Hallo {{1}}, Ihre Rechnung {{2}} ist bereit."),
                new SimTemplate("1000000002", "invoice_ready", "en", "APPROVED", "UTILITY", "POSITIONAL",
                        "DOCUMENT", null, "Hello {{1}}, your invoice {{2}} is ready."),
                new SimTemplate("1000000003", "spring_sale", "en", "APPROVED", "MARKETING", "NAMED",
                        "TEXT", "Hi {{first_name}}", "{{first_name}}, {{discount}} off until Sunday."),
                new SimTemplate("1000000004", "summer_sale", "en", "APPROVED", "MARKETING", "POSITIONAL",
                        "IMAGE", null, "Summer is here, {{1}}!"),
                new SimTemplate("1000000005", "old_promo", "en", "PAUSED", "MARKETING", "POSITIONAL",
                        "NONE", null, "Last chance, {{1}}."));
    }

    private static List<String> placeholders(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return new ArrayList<>(names);
    }

    private static String required(JsonNode node, String key) {
        String value = node.path(key).asText("");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("template without " + key + ": " + node);
        }
        return value;
    }
}
