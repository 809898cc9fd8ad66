package herald.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The placeholders an approved WhatsApp template expects, read from the components Meta returns:
 * those of a TEXT header, of the body, and the URL buttons whose link ends in {@code {{1}}}
 * ({@code urlButtons}, each by its zero-based index in the BUTTONS component, as a send names it).
 * The footer and every other kind of button are not read: nothing a recipient's values fill in
 * lives there.
 */
public record TemplateSpec(HeaderKind headerKind, ParameterFormat format, List<String> headerParams,
                           List<String> bodyParams, List<Integer> urlButtons) {

    public enum HeaderKind { NONE, TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION }

    public enum ParameterFormat { POSITIONAL, NAMED }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]*)}}");
    // Meta caps body text at 1024 characters, so a real template never numbers past three digits;
    // the cap keeps the gap check below cheap whatever the input.
    private static final Pattern POSITIONAL_NAME = Pattern.compile("[1-9][0-9]{0,2}");
    private static final Pattern NAMED_NAME = Pattern.compile("[a-z0-9_]*[a-z_][a-z0-9_]*");
    // Meta lets a URL button take one variable, {{1}} whatever the template's parameter format,
    // appended to the end of its link.
    private static final String URL_VARIABLE = "{{1}}";

    public TemplateSpec {
        Objects.requireNonNull(headerKind, "headerKind");
        Objects.requireNonNull(format, "format");
        headerParams = List.copyOf(headerParams);
        bodyParams = List.copyOf(bodyParams);
        urlButtons = List.copyOf(urlButtons);
        if (headerKind != HeaderKind.TEXT && !headerParams.isEmpty()) {
            throw new IllegalArgumentException("only a TEXT header can have placeholders, not " + headerKind);
        }
    }

    /**
     * @param componentsJson  the template's {@code components} array as Meta returns it
     * @param parameterFormat Meta's {@code parameter_format}; templates created before it existed
     *                        have none and are positional
     */
    public static TemplateSpec parse(String componentsJson, String parameterFormat) {
        ParameterFormat format = parseFormat(parameterFormat);
        if (componentsJson == null) {
            throw new IllegalArgumentException("template components are missing");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(componentsJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("template components are not valid JSON: " + e.getOriginalMessage());
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("template components must be a JSON array");
        }
        JsonNode header = null;
        JsonNode body = null;
        JsonNode buttons = null;
        for (int i = 0; i < root.size(); i++) {
            JsonNode component = root.get(i);
            String type = upperText(component.get("type"));
            if (!component.isObject() || type == null) {
                throw new IllegalArgumentException("template component #" + (i + 1) + " must be an object with a type");
            }
            if (type.equals("HEADER")) {
                if (header != null) {
                    throw new IllegalArgumentException("template has more than one HEADER component");
                }
                header = component;
            } else if (type.equals("BODY")) {
                if (body != null) {
                    throw new IllegalArgumentException("template has more than one BODY component");
                }
                body = component;
            } else if (type.equals("BUTTONS")) {
                if (buttons != null) {
                    throw new IllegalArgumentException("template has more than one BUTTONS component");
                }
                buttons = component;
            }
        }
        HeaderKind headerKind = header == null ? HeaderKind.NONE : headerKind(header);
        List<String> headerParams = headerKind == HeaderKind.TEXT
            ? placeholders(requiredText(header, "HEADER"), format, "HEADER")
            : List.of();
        List<String> bodyParams = body == null ? List.of() : placeholders(requiredText(body, "BODY"), format, "BODY");
        List<Integer> urlButtons = buttons == null ? List.of() : urlButtons(buttons);
        return new TemplateSpec(headerKind, format, headerParams, bodyParams, urlButtons);
    }

    /** How many parameters a send carries; a named placeholder used in header and body counts twice. */
    public int placeholderCount() {
        return headerParams.size() + bodyParams.size() + urlButtons.size();
    }

    /** How errors name a button: counted from 1 as the template lists them, not by Meta's index. */
    public static String buttonLabel(int index) {
        return "button " + (index + 1) + " (URL)";
    }

    /**
     * The key that carries a URL button's value in a NAMED template's values: the button has no
     * name of its own, its placeholder is always {@code {{1}}}.
     */
    public static String buttonKey(int index) {
        return "button_" + (index + 1);
    }

    public boolean hasMediaHeader() {
        return headerKind == HeaderKind.IMAGE || headerKind == HeaderKind.VIDEO || headerKind == HeaderKind.DOCUMENT;
    }

    private static ParameterFormat parseFormat(String parameterFormat) {
        if (parameterFormat == null || parameterFormat.isBlank()) {
            return ParameterFormat.POSITIONAL;
        }
        try {
            return ParameterFormat.valueOf(parameterFormat.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "unknown parameter format \"" + parameterFormat + "\"; expected POSITIONAL or NAMED");
        }
    }

    private static HeaderKind headerKind(JsonNode header) {
        String format = upperText(header.get("format"));
        if (format == null) {
            throw new IllegalArgumentException("HEADER component has no format");
        }
        return Arrays.stream(HeaderKind.values())
            .filter(kind -> kind != HeaderKind.NONE && kind.name().equals(format))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("HEADER component has unsupported format \"" + format + "\""));
    }

    private static List<Integer> urlButtons(JsonNode component) {
        JsonNode buttons = component.get("buttons");
        if (buttons == null || !buttons.isArray()) {
            throw new IllegalArgumentException("BUTTONS component has no buttons array");
        }
        List<Integer> dynamic = new ArrayList<>();
        for (int i = 0; i < buttons.size(); i++) {
            JsonNode button = buttons.get(i);
            String type = upperText(button.get("type"));
            if (!button.isObject() || type == null) {
                throw new IllegalArgumentException("BUTTONS component: button " + (i + 1) + " must be an object with a type");
            }
            if (!type.equals("URL")) {
                continue;
            }
            JsonNode url = button.get("url");
            if (url == null || !url.isTextual()) {
                throw new IllegalArgumentException("BUTTONS component: " + buttonLabel(i) + " has no url");
            }
            String link = url.asText();
            if (!PLACEHOLDER.matcher(link).find()) {
                continue;
            }
            int variable = link.indexOf(URL_VARIABLE);
            if (variable < 0 || variable != link.length() - URL_VARIABLE.length()) {
                throw new IllegalArgumentException("BUTTONS component: " + buttonLabel(i)
                    + " may hold one placeholder, {{1}}, at the end of its url: " + link);
            }
            dynamic.add(i);
        }
        return dynamic;
    }

    private static String requiredText(JsonNode component, String type) {
        JsonNode text = component.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException(type + " component has no text");
        }
        return text.asText();
    }

    private static List<String> placeholders(String text, ParameterFormat format, String type) {
        Set<String> named = new LinkedHashSet<>();
        TreeSet<Integer> numbered = new TreeSet<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            String token = matcher.group(1);
            boolean positional = POSITIONAL_NAME.matcher(token).matches();
            if (!positional && !NAMED_NAME.matcher(token).matches()) {
                throw new IllegalArgumentException(type + " component has a malformed placeholder {{" + token + "}}");
            }
            if (positional != (format == ParameterFormat.POSITIONAL)) {
                throw new IllegalArgumentException(type + " component placeholder {{" + token + "}} is "
                    + (positional ? "positional" : "named") + " but the template's parameter format is " + format);
            }
            if (positional) {
                numbered.add(Integer.parseInt(token));
            } else {
                named.add(token);
            }
        }
        if (format == ParameterFormat.NAMED) {
            return List.copyOf(named);
        }
        List<String> params = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        int highest = numbered.isEmpty() ? 0 : numbered.last();
        for (int n = 1; n <= highest; n++) {
            params.add(Integer.toString(n));
            if (!numbered.contains(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(type + " component placeholders must be numbered from {{1}} without gaps; missing "
                + missing.stream().map(n -> "{{" + n + "}}").collect(Collectors.joining(", ")));
        }
        return params;
    }

    private static String upperText(JsonNode node) {
        return node != null && node.isTextual() ? node.asText().strip().toUpperCase(Locale.ROOT) : null;
    }
}
