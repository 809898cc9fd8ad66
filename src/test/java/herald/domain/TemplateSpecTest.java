package herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import herald.domain.TemplateSpec.HeaderKind;
import herald.domain.TemplateSpec.ParameterFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateSpecTest {

    private static IllegalArgumentException rejected(String json, String format) {
        return assertThrows(IllegalArgumentException.class, () -> TemplateSpec.parse(json, format));
    }

    @Test
    void readsDocumentHeaderPositionalBodyAndUrlButtonIgnoringFooter() {
        TemplateSpec spec = TemplateSpec.parse("""
            [{"type":"HEADER","format":"DOCUMENT","example":{"header_handle":["4::aW"]}},
             {"type":"BODY","text":"Hi {{1}}, invoice {{2}} is ready"},
             {"type":"FOOTER","text":"Reply {{STOP}} to opt out"},
             {"type":"BUTTONS","buttons":[{"type":"URL","text":"Open","url":"https://x.test/{{1}}"}]}]
            """, "POSITIONAL");
        assertEquals(HeaderKind.DOCUMENT, spec.headerKind());
        assertEquals(ParameterFormat.POSITIONAL, spec.format());
        assertEquals(List.of(), spec.headerParams());
        assertEquals(List.of("1", "2"), spec.bodyParams());
        assertEquals(List.of(0), spec.urlButtons());
        assertEquals(3, spec.placeholderCount());
        assertTrue(spec.hasMediaHeader());
    }

    @Test
    void onlyUrlButtonsEndingInAPlaceholderTakeAValue() {
        TemplateSpec spec = TemplateSpec.parse("""
            [{"type":"BODY","text":"Hi {{1}}"},
             {"type":"BUTTONS","buttons":[
               {"type":"QUICK_REPLY","text":"Stop {{1}}"},
               {"type":"URL","text":"Shop","url":"https://shop.test/"},
               {"type":"PHONE_NUMBER","text":"Call","phone_number":"+4915112345678"},
               {"type":"url","text":"Track","url":"https://shop.test/track/{{1}}"},
               {"type":"URL","text":"Invoice","url":"https://shop.test/inv/{{1}}"}]}]
            """, "POSITIONAL");
        assertEquals(List.of(3, 4), spec.urlButtons());
        assertEquals(3, spec.placeholderCount());
    }

    @Test
    void staticUrlButtonTakesNoValue() {
        TemplateSpec spec = TemplateSpec.parse("""
            [{"type":"BODY","text":"Hi"},
             {"type":"BUTTONS","buttons":[{"type":"URL","text":"Shop","url":"https://shop.test/sale"}]}]
            """, null);
        assertEquals(List.of(), spec.urlButtons());
        assertEquals(0, spec.placeholderCount());
    }

    @Test
    void namedTemplateUrlButtonStillTakesItsOneVariable() {
        TemplateSpec spec = TemplateSpec.parse("""
            [{"type":"BODY","text":"Hi {{first_name}}"},
             {"type":"BUTTONS","buttons":[{"type":"URL","text":"Open","url":"https://x.test/{{1}}"}]}]
            """, "NAMED");
        assertEquals(List.of("first_name"), spec.bodyParams());
        assertEquals(List.of(0), spec.urlButtons());
        assertEquals("button_1", TemplateSpec.buttonKey(0));
        assertEquals("button 1 (URL)", TemplateSpec.buttonLabel(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://x.test/{{2}}", "https://x.test/{{1}}/view", "https://x.test/{{name}}",
        "https://x.test/{{1}}{{1}}", "{{1}}"})
    void urlButtonPlaceholderOtherThanOneTrailingVariableIsRejected(String url) {
        String json = "[{\"type\":\"BUTTONS\",\"buttons\":[{\"type\":\"QUICK_REPLY\",\"text\":\"Stop\"},"
            + "{\"type\":\"URL\",\"text\":\"Open\",\"url\":\"" + url + "\"}]}]";
        if (url.equals("{{1}}")) {
            assertEquals(List.of(1), TemplateSpec.parse(json, null).urlButtons(), "a link that is only the variable ends in it");
            return;
        }
        assertEquals("BUTTONS component: button 2 (URL) may hold one placeholder, {{1}}, at the end of its url: " + url,
            rejected(json, null).getMessage());
    }

    @Test
    void buttonsComponentMustListTypedButtonsAndUrlButtonsAUrl() {
        assertEquals("BUTTONS component has no buttons array",
            rejected("[{\"type\":\"BUTTONS\"}]", null).getMessage());
        assertEquals("BUTTONS component: button 2 must be an object with a type",
            rejected("[{\"type\":\"BUTTONS\",\"buttons\":[{\"type\":\"QUICK_REPLY\"},{\"text\":\"x\"}]}]", null).getMessage());
        assertEquals("BUTTONS component: button 1 (URL) has no url",
            rejected("[{\"type\":\"BUTTONS\",\"buttons\":[{\"type\":\"URL\",\"text\":\"x\"}]}]", null).getMessage());
        assertEquals("template has more than one BUTTONS component",
            rejected("[{\"type\":\"BUTTONS\",\"buttons\":[]},{\"type\":\"buttons\",\"buttons\":[]}]", null).getMessage());
    }

    @Test
    void textHeaderPlaceholdersAreNumberedSeparatelyFromBody() {
        TemplateSpec spec = TemplateSpec.parse("""
            [{"type":"header","format":"text","text":"Order {{1}}"},
             {"type":"body","text":"{{2}} and {{1}} then {{3}}, again {{2}}"}]
            """, null);
        assertEquals(HeaderKind.TEXT, spec.headerKind());
        assertEquals(List.of("1"), spec.headerParams());
        assertEquals(List.of("1", "2", "3"), spec.bodyParams());
        assertEquals(4, spec.placeholderCount());
        assertFalse(spec.hasMediaHeader());
    }

    @Test
    void namedPlaceholdersKeepFirstAppearanceOrder() {
        TemplateSpec spec = TemplateSpec.parse("""
            [{"type":"HEADER","format":"TEXT","text":"Hello {{first_name}}"},
             {"type":"BODY","text":"{{first_name}}, your {{order_2}} ships {{ship_date}}; {{order_2}} again"}]
            """, "named");
        assertEquals(ParameterFormat.NAMED, spec.format());
        assertEquals(List.of("first_name"), spec.headerParams());
        assertEquals(List.of("first_name", "order_2", "ship_date"), spec.bodyParams());
        assertEquals(4, spec.placeholderCount());
    }

    @Test
    void templateWithoutHeaderOrPlaceholders() {
        TemplateSpec spec = TemplateSpec.parse("[{\"type\":\"BODY\",\"text\":\"Thanks!\"}]", "POSITIONAL");
        assertEquals(HeaderKind.NONE, spec.headerKind());
        assertEquals(List.of(), spec.bodyParams());
        assertEquals(0, spec.placeholderCount());
        assertFalse(spec.hasMediaHeader());
    }

    @Test
    void mediaKindsAreMediaButLocationIsNot() {
        for (HeaderKind kind : List.of(HeaderKind.IMAGE, HeaderKind.VIDEO, HeaderKind.DOCUMENT, HeaderKind.LOCATION)) {
            TemplateSpec spec = TemplateSpec.parse(
                "[{\"type\":\"HEADER\",\"format\":\"" + kind.name().toLowerCase() + "\",\"text\":\"{{1}}\"},"
                    + "{\"type\":\"BODY\",\"text\":\"x\"}]", "POSITIONAL");
            assertEquals(kind, spec.headerKind());
            assertEquals(List.of(), spec.headerParams(), "a media header's text is not read");
            assertEquals(kind != HeaderKind.LOCATION, spec.hasMediaHeader(), kind.name());
        }
    }

    @Test
    void gapsInPositionalNumberingNameTheMissingOnes() {
        IllegalArgumentException e = rejected("[{\"type\":\"BODY\",\"text\":\"{{1}} {{3}} {{5}}\"}]", "POSITIONAL");
        assertEquals("BODY component placeholders must be numbered from {{1}} without gaps; missing {{2}}, {{4}}",
            e.getMessage());
        assertTrue(rejected("[{\"type\":\"HEADER\",\"format\":\"TEXT\",\"text\":\"{{2}}\"}]", null)
            .getMessage().startsWith("HEADER component placeholders must be numbered from {{1}} without gaps; missing {{1}}"));
    }

    @Test
    void placeholderOfTheWrongFormatIsRejected() {
        assertEquals("BODY component placeholder {{name}} is named but the template's parameter format is POSITIONAL",
            rejected("[{\"type\":\"BODY\",\"text\":\"Hi {{name}}\"}]", "POSITIONAL").getMessage());
        assertEquals("HEADER component placeholder {{1}} is positional but the template's parameter format is NAMED",
            rejected("[{\"type\":\"HEADER\",\"format\":\"TEXT\",\"text\":\"Hi {{1}}\"}]", "NAMED").getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{First}}", "{{first name}}", "{{0}}", "{{01}}", "{{1000}}", "{{}}", "{{ 1 }}"})
    void malformedPlaceholdersAreRejected(String placeholder) {
        String json = "[{\"type\":\"BODY\",\"text\":\"Hi " + placeholder + "\"}]";
        String format = placeholder.matches("\\{\\{[0-9 ]*}}") ? "POSITIONAL" : "NAMED";
        assertEquals("BODY component has a malformed placeholder " + placeholder, rejected(json, format).getMessage());
    }

    @Test
    void invalidJsonIsRejected() {
        assertTrue(rejected("[{\"type\":\"BODY\"", "POSITIONAL").getMessage()
            .startsWith("template components are not valid JSON"));
        assertTrue(rejected("[] trailing", "POSITIONAL").getMessage()
            .startsWith("template components are not valid JSON"));
        assertEquals("template components are missing", rejected(null, "POSITIONAL").getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"BODY\"}", "\"BODY\"", "", "  "})
    void nonArrayIsRejected(String json) {
        assertEquals("template components must be a JSON array", rejected(json, "POSITIONAL").getMessage());
    }

    @Test
    void componentsMustBeTypedObjects() {
        assertEquals("template component #2 must be an object with a type",
            rejected("[{\"type\":\"BODY\",\"text\":\"x\"},\"FOOTER\"]", null).getMessage());
        assertEquals("template component #1 must be an object with a type",
            rejected("[{\"text\":\"x\"}]", null).getMessage());
    }

    @Test
    void duplicateHeaderOrBodyIsRejected() {
        assertEquals("template has more than one HEADER component", rejected("""
            [{"type":"HEADER","format":"IMAGE"},{"type":"Header","format":"TEXT","text":"x"}]""", null).getMessage());
        assertEquals("template has more than one BODY component", rejected("""
            [{"type":"BODY","text":"a"},{"type":"body","text":"b"}]""", null).getMessage());
    }

    @Test
    void headerNeedsAKnownFormatAndTextComponentsNeedText() {
        assertEquals("HEADER component has no format", rejected("[{\"type\":\"HEADER\",\"text\":\"x\"}]", null).getMessage());
        assertEquals("HEADER component has unsupported format \"AUDIO\"",
            rejected("[{\"type\":\"HEADER\",\"format\":\"audio\"}]", null).getMessage());
        assertEquals("HEADER component has unsupported format \"NONE\"",
            rejected("[{\"type\":\"HEADER\",\"format\":\"NONE\"}]", null).getMessage());
        assertEquals("HEADER component has no text", rejected("[{\"type\":\"HEADER\",\"format\":\"TEXT\"}]", null).getMessage());
        assertEquals("BODY component has no text", rejected("[{\"type\":\"BODY\",\"text\":7}]", null).getMessage());
    }

    @Test
    void unknownParameterFormatIsRejected() {
        assertEquals("unknown parameter format \"MIXED\"; expected POSITIONAL or NAMED",
            rejected("[]", "MIXED").getMessage());
    }

    @Test
    void recordIsImmutableAndConsistent() {
        List<String> body = new ArrayList<>(List.of("1"));
        List<Integer> buttons = new ArrayList<>(List.of(0));
        TemplateSpec spec = new TemplateSpec(HeaderKind.NONE, ParameterFormat.POSITIONAL, List.of(), body, buttons);
        body.add("2");
        buttons.add(1);
        assertEquals(List.of("1"), spec.bodyParams());
        assertEquals(List.of(0), spec.urlButtons());
        assertThrows(UnsupportedOperationException.class, () -> spec.bodyParams().add("3"));
        assertThrows(UnsupportedOperationException.class, () -> spec.urlButtons().add(2));
        assertThrows(IllegalArgumentException.class,
            () -> new TemplateSpec(HeaderKind.IMAGE, ParameterFormat.POSITIONAL, List.of("1"), List.of(), List.of()));
    }
}
