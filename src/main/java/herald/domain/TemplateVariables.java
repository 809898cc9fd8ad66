package herald.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the values given for one recipient against a template and freezes them into the exact
 * strings that will be sent, so a later retry sends what was accepted, not what the input became.
 */
public final class TemplateVariables {

    private static final String FIVE_SPACES = "     ";

    private TemplateVariables() {
    }

    /**
     * Positional values are matched by the object's key order (header placeholders, then body
     * ones, then URL buttons), because uploads label their columns freely; named values are
     * matched by key, a URL button's by {@link TemplateSpec#buttonKey}.
     */
    public static List<String> problems(TemplateSpec spec, JsonNode values) {
        if (values == null || !values.isObject()) {
            String got = values == null ? "nothing" : values.getNodeType().name().toLowerCase(Locale.ROOT);
            return List.of("values must be a JSON object, got " + got);
        }
        List<String> problems = new ArrayList<>();
        if (spec.format() == TemplateSpec.ParameterFormat.POSITIONAL) {
            int expected = spec.placeholderCount();
            if (values.size() != expected) {
                problems.add("expected " + expected + " value" + (expected == 1 ? "" : "s") + " (" + counts(spec)
                    + "), got " + values.size());
            }
            int textCount = spec.headerParams().size() + spec.bodyParams().size();
            for (int b = Math.max(0, values.size() - textCount); b < spec.urlButtons().size(); b++) {
                problems.add(TemplateSpec.buttonLabel(spec.urlButtons().get(b)) + " needs a value: value "
                    + (textCount + b + 1) + " in key order");
            }
            int position = 0;
            for (Map.Entry<String, JsonNode> entry : values.properties()) {
                int button = position - textCount;
                String label = button >= 0 && button < spec.urlButtons().size()
                    ? TemplateSpec.buttonLabel(spec.urlButtons().get(button)) + " " + quoted(entry.getKey())
                    : quoted(entry.getKey());
                checkValue(label, entry.getValue(), problems);
                position++;
            }
        } else {
            Set<String> names = namedParams(spec);
            for (String name : names) {
                if (!values.has(name)) {
                    problems.add(quoted(name) + ": missing, the template uses {{" + name + "}}");
                }
            }
            for (int index : spec.urlButtons()) {
                String key = TemplateSpec.buttonKey(index);
                if (!values.has(key) && !names.contains(key)) {
                    problems.add(TemplateSpec.buttonLabel(index) + " needs a value, under the key " + quoted(key));
                }
            }
            Set<String> keys = namedKeys(spec);
            for (Map.Entry<String, JsonNode> entry : values.properties()) {
                if (!keys.contains(entry.getKey())) {
                    problems.add(quoted(entry.getKey()) + ": unexpected, the template has no {{" + entry.getKey() + "}} placeholder"
                        + (spec.urlButtons().isEmpty() ? "" : " and no URL button of that key"));
                }
            }
            for (String name : names) {
                if (values.has(name)) {
                    checkValue(quoted(name), values.get(name), problems);
                }
            }
            for (int index : spec.urlButtons()) {
                String key = TemplateSpec.buttonKey(index);
                if (values.has(key) && !names.contains(key)) {
                    checkValue(TemplateSpec.buttonLabel(index) + " " + quoted(key), values.get(key), problems);
                }
            }
        }
        return List.copyOf(problems);
    }

    /**
     * The values as sent: {@code {"header":[{"name","value"}...],"body":[...]}}, every value a
     * string, plus {@code "buttons":[{"index","value"}...]} when the template has URL buttons.
     */
    public static ObjectNode freeze(TemplateSpec spec, JsonNode values) {
        List<String> problems = problems(spec, values);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("template values are not valid: " + String.join("; ", problems));
        }
        ObjectNode frozen = Json.MAPPER.createObjectNode();
        ArrayNode header = frozen.putArray("header");
        ArrayNode body = frozen.putArray("body");
        if (spec.format() == TemplateSpec.ParameterFormat.POSITIONAL) {
            List<String> inKeyOrder = new ArrayList<>();
            for (Map.Entry<String, JsonNode> entry : values.properties()) {
                inKeyOrder.add(render(entry.getValue()));
            }
            int headerCount = spec.headerParams().size();
            addAll(header, spec.headerParams(), inKeyOrder.subList(0, headerCount));
            int bodyEnd = headerCount + spec.bodyParams().size();
            addAll(body, spec.bodyParams(), inKeyOrder.subList(headerCount, bodyEnd));
            addButtons(frozen, spec, inKeyOrder.subList(bodyEnd, inKeyOrder.size()));
        } else {
            addAll(header, spec.headerParams(), spec.headerParams().stream().map(n -> render(values.get(n))).toList());
            addAll(body, spec.bodyParams(), spec.bodyParams().stream().map(n -> render(values.get(n))).toList());
            addButtons(frozen, spec, spec.urlButtons().stream()
                .map(index -> render(values.get(TemplateSpec.buttonKey(index)))).toList());
        }
        return frozen;
    }

    private static Set<String> namedParams(TemplateSpec spec) {
        Set<String> names = new LinkedHashSet<>(spec.headerParams());
        names.addAll(spec.bodyParams());
        return names;
    }

    private static Set<String> namedKeys(TemplateSpec spec) {
        Set<String> keys = namedParams(spec);
        spec.urlButtons().forEach(index -> keys.add(TemplateSpec.buttonKey(index)));
        return keys;
    }

    private static void addButtons(ObjectNode frozen, TemplateSpec spec, List<String> values) {
        if (spec.urlButtons().isEmpty()) {
            return;
        }
        ArrayNode buttons = frozen.putArray("buttons");
        for (int i = 0; i < values.size(); i++) {
            buttons.addObject().put("index", spec.urlButtons().get(i)).put("value", values.get(i));
        }
    }

    private static void addAll(ArrayNode target, List<String> names, List<String> values) {
        for (int i = 0; i < names.size(); i++) {
            target.addObject().put("name", names.get(i)).put("value", values.get(i));
        }
    }

    private static void checkValue(String label, JsonNode value, List<String> problems) {
        String prefix = label + ": ";
        if (!value.isTextual() && !value.isNumber()) {
            problems.add(prefix + "must be a string or number, not " + value.getNodeType().name().toLowerCase(Locale.ROOT));
            return;
        }
        // A JSON number too large for a double (1e400) is read as infinity.
        if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
            problems.add(prefix + "must be a finite number");
            return;
        }
        String text = render(value);
        if (text.trim().isEmpty()) {
            problems.add(prefix + "must not be empty");
            return;
        }
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\t') >= 0) {
            problems.add(prefix + "must not contain a newline or tab (Meta error 132018)");
        }
        if (text.contains(FIVE_SPACES)) {
            problems.add(prefix + "must not contain more than 4 consecutive spaces (Meta error 132018)");
        }
    }

    private static String counts(TemplateSpec spec) {
        String counts = spec.headerParams().size() + " header + " + spec.bodyParams().size() + " body placeholder"
            + (spec.headerParams().size() + spec.bodyParams().size() == 1 ? "" : "s");
        int buttons = spec.urlButtons().size();
        return buttons == 0 ? counts : counts + " + " + buttons + " URL button" + (buttons == 1 ? "" : "s");
    }

    private static String render(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        // asText() keeps a float's shortest decimal form, which decimalValue() would widen.
        return new BigDecimal(value.asText()).stripTrailingZeros().toPlainString();
    }

    private static String quoted(String key) {
        return TextNode.valueOf(key).toString();
    }
}
