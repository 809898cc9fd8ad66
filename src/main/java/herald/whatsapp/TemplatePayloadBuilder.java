package herald.whatsapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a frozen message into the body of {@code POST /{version}/{phone-number-id}/messages}
 * for a template (reference §1).
 *
 * <p>The frozen message is the only input so that a resend produces byte-identical JSON. Rules
 * that are Herald's choice rather than Meta's:
 * <ul>
 *   <li>{@code to} must already be E.164 with a leading '+': without it Meta prepends the
 *       sender's own country code (reference §7).</li>
 *   <li>{@code biz_opaque_callback_data} is {@code campaign + ":" + messageId}, so every status
 *       webhook can be tied to its message even when the send's answer was lost.</li>
 *   <li>A TEXT header without parameters gets no header component: a static header has nothing
 *       to fill in.</li>
 *   <li>{@code parameter_name} goes on text parameters of NAMED templates; a media header has a
 *       single unnamed slot, and so has a URL button, whose variable is {@code {{1}}} in every
 *       format.</li>
 * </ul>
 */
public final class TemplatePayloadBuilder {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    // Meta documents no exact limit; 512 is the ceiling the reference tells us to stay under.
    private static final int MAX_CALLBACK_DATA = 512;

    private TemplatePayloadBuilder() {
    }

    public static String build(JsonNode frozen) {
        if (frozen == null || !frozen.isObject()) {
            throw new IllegalArgumentException("frozen message must be a JSON object");
        }
        long messageId = requiredLong(frozen, "messageId");
        String campaign = requiredText(frozen, "campaign", "campaign");
        String to = requiredText(frozen, "to", "to");
        if (!E164.matcher(to).matches()) {
            throw new IllegalArgumentException("to must be E.164 with a leading '+': " + to);
        }
        JsonNode template = requiredObject(frozen, "template", "template");
        String name = requiredText(template, "name", "template.name");
        String language = requiredText(template, "language", "template.language");
        boolean named = parameterFormat(template);
        JsonNode header = requiredObject(frozen, "header", "header");
        String kind = requiredText(header, "kind", "header.kind");
        JsonNode parameters = frozen.path("parameters");

        String callbackData = campaign + ":" + messageId;
        if (callbackData.length() > MAX_CALLBACK_DATA) {
            throw new IllegalArgumentException("campaign is too long for biz_opaque_callback_data");
        }

        ObjectNode body = MAPPER.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("recipient_type", "individual");
        body.put("to", to);
        body.put("type", "template");
        body.put("biz_opaque_callback_data", callbackData);
        ObjectNode templateNode = body.putObject("template");
        templateNode.put("name", name);
        templateNode.putObject("language").put("code", language);
        ArrayNode components = MAPPER.createArrayNode();

        switch (kind) {
            case "NONE":
                break;
            case "TEXT": {
                ArrayNode headerParameters = textParameters(parameters.path("header"), "parameters.header", named);
                if (!headerParameters.isEmpty()) {
                    addComponent(components, "header", headerParameters);
                }
                break;
            }
            case "IMAGE":
            case "VIDEO":
            case "DOCUMENT":
                addComponent(components, "header", mediaParameter(header, kind.toLowerCase(Locale.ROOT)));
                break;
            default:
                throw new IllegalArgumentException("header.kind must be NONE, TEXT, IMAGE, VIDEO or DOCUMENT: " + kind);
        }

        ArrayNode bodyParameters = textParameters(parameters.path("body"), "parameters.body", named);
        if (!bodyParameters.isEmpty()) {
            addComponent(components, "body", bodyParameters);
        }
        addUrlButtons(components, parameters.path("buttons"));
        if (!components.isEmpty()) {
            templateNode.set("components", components);
        }
        try {
            return MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings cannot fail to serialise", e);
        }
    }

    private static boolean parameterFormat(JsonNode template) {
        String format = requiredText(template, "parameterFormat", "template.parameterFormat");
        switch (format) {
            case "NAMED":
                return true;
            case "POSITIONAL":
                return false;
            default:
                throw new IllegalArgumentException("template.parameterFormat must be POSITIONAL or NAMED: " + format);
        }
    }

    private static void addComponent(ArrayNode components, String type, ArrayNode parameters) {
        ObjectNode component = components.addObject();
        component.put("type", type);
        component.set("parameters", parameters);
    }

    private static void addUrlButtons(ArrayNode components, JsonNode buttons) {
        if (buttons.isMissingNode() || buttons.isNull()) {
            return;
        }
        if (!buttons.isArray()) {
            throw new IllegalArgumentException("parameters.buttons must be an array");
        }
        for (int i = 0; i < buttons.size(); i++) {
            JsonNode button = buttons.get(i);
            String path = "parameters.buttons[" + i + "]";
            JsonNode index = button.get("index");
            if (index == null || !index.isIntegralNumber() || index.asInt() < 0) {
                throw new IllegalArgumentException("missing " + path + ".index");
            }
            ObjectNode component = components.addObject();
            component.put("type", "button");
            component.put("sub_type", "url");
            component.put("index", Integer.toString(index.asInt()));
            component.putArray("parameters").addObject()
                    .put("type", "text")
                    .put("text", requiredText(button, "value", path + ".value"));
        }
    }

    private static ArrayNode mediaParameter(JsonNode header, String type) {
        ArrayNode parameters = MAPPER.createArrayNode();
        ObjectNode parameter = parameters.addObject();
        parameter.put("type", type);
        ObjectNode media = parameter.putObject(type);
        media.put("id", requiredText(header, "mediaId", "header.mediaId"));
        if (type.equals("document")) {
            String filename = header.path("filename").asText("");
            if (!filename.isBlank()) {
                media.put("filename", filename);
            }
        }
        return parameters;
    }

    private static ArrayNode textParameters(JsonNode source, String field, boolean named) {
        ArrayNode parameters = MAPPER.createArrayNode();
        if (source.isMissingNode() || source.isNull()) {
            return parameters;
        }
        if (!source.isArray()) {
            throw new IllegalArgumentException(field + " must be an array");
        }
        for (int i = 0; i < source.size(); i++) {
            JsonNode entry = source.get(i);
            String path = field + "[" + i + "]";
            // Meta refuses empty values, so an empty one here is a data error, not a send error.
            String value = requiredText(entry, "value", path + ".value");
            ObjectNode parameter = parameters.addObject();
            parameter.put("type", "text");
            if (named) {
                parameter.put("parameter_name", requiredText(entry, "name", path + ".name"));
            }
            parameter.put("text", value);
        }
        return parameters;
    }

    private static String requiredText(JsonNode node, String key, String path) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull() || !value.isValueNode() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("missing " + path);
        }
        return value.asText();
    }

    private static long requiredLong(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return value.asLong();
    }

    private static JsonNode requiredObject(JsonNode node, String key, String path) {
        JsonNode value = node.get(key);
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException("missing " + path);
        }
        return value;
    }
}
