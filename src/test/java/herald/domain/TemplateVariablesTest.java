package herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateVariablesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final TemplateSpec POSITIONAL = TemplateSpec.parse("""
        [{"type":"HEADER","format":"TEXT","text":"Hello {{1}}"},
         {"type":"BODY","text":"{{1}}, invoice {{2}} is ready"}]""", "POSITIONAL");

    private static final TemplateSpec NAMED = TemplateSpec.parse("""
        [{"type":"HEADER","format":"TEXT","text":"Hello {{first_name}}"},
         {"type":"BODY","text":"{{first_name}}, use {{code}} for {{discount}}"}]""", "NAMED");

    private static final TemplateSpec BODY_ONLY = TemplateSpec.parse(
        "[{\"type\":\"BODY\",\"text\":\"Code {{1}}\"}]", "POSITIONAL");

    private static final TemplateSpec POSITIONAL_BUTTON = TemplateSpec.parse("""
        [{"type":"BODY","text":"Hi {{1}}, invoice {{2}}"},
         {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"},
           {"type":"URL","text":"Open","url":"https://x.test/{{1}}"}]}]""", "POSITIONAL");

    private static final TemplateSpec NAMED_BUTTON = TemplateSpec.parse("""
        [{"type":"BODY","text":"Hi {{first_name}}"},
         {"type":"BUTTONS","buttons":[{"type":"URL","text":"Open","url":"https://x.test/{{1}}"}]}]""", "NAMED");

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void positionalValuesFollowKeyOrderHeaderFirst() throws Exception {
        JsonNode values = json("{\"zeta\":\"Anna\",\"alpha\":\"Anna B\",\"middle\":9001}");
        assertEquals(List.of(), TemplateVariables.problems(POSITIONAL, values));
        assertEquals(json("""
            {"header":[{"name":"1","value":"Anna"}],
             "body":[{"name":"1","value":"Anna B"},{"name":"2","value":"9001"}]}"""),
            TemplateVariables.freeze(POSITIONAL, values));
    }

    @Test
    void frozenJsonKeepsFieldOrder() throws Exception {
        ObjectNode frozen = TemplateVariables.freeze(BODY_ONLY, json("{\"c\":\"X1\"}"));
        assertEquals("{\"header\":[],\"body\":[{\"name\":\"1\",\"value\":\"X1\"}]}", frozen.toString());
    }

    @Test
    void positionalCountMismatchIsReported() throws Exception {
        assertEquals(List.of("expected 3 values (1 header + 2 body placeholders), got 2"),
            TemplateVariables.problems(POSITIONAL, json("{\"a\":\"x\",\"b\":\"y\"}")));
        assertEquals(List.of("expected 1 value (0 header + 1 body placeholder), got 2"),
            TemplateVariables.problems(BODY_ONLY, json("{\"a\":\"x\",\"b\":\"y\"}")));
    }

    @Test
    void positionalButtonValueComesAfterTheBodyInKeyOrder() throws Exception {
        JsonNode values = json("{\"name\":\"Anna\",\"invoice\":9001,\"link\":\"inv/9001\"}");
        assertEquals(List.of(), TemplateVariables.problems(POSITIONAL_BUTTON, values));
        assertEquals("{\"header\":[],\"body\":[{\"name\":\"1\",\"value\":\"Anna\"},{\"name\":\"2\",\"value\":\"9001\"}],"
                + "\"buttons\":[{\"index\":1,\"value\":\"inv/9001\"}]}",
            TemplateVariables.freeze(POSITIONAL_BUTTON, values).toString());
    }

    @Test
    void positionalMissingButtonValueNamesTheButton() throws Exception {
        assertEquals(List.of("expected 3 values (0 header + 2 body placeholders + 1 URL button), got 2",
                "button 2 (URL) needs a value: value 3 in key order"),
            TemplateVariables.problems(POSITIONAL_BUTTON, json("{\"name\":\"Anna\",\"invoice\":9001}")));
    }

    @Test
    void badButtonValueNamesTheButton() throws Exception {
        assertEquals(List.of("button 2 (URL) \"link\": must not be empty"),
            TemplateVariables.problems(POSITIONAL_BUTTON, json("{\"name\":\"Anna\",\"invoice\":9001,\"link\":\" \"}")));
        assertEquals(List.of("button 1 (URL) \"button_1\": must not contain a newline or tab (Meta error 132018)"),
            TemplateVariables.problems(NAMED_BUTTON, json("{\"first_name\":\"Anna\",\"button_1\":\"a\\tb\"}")));
    }

    @Test
    void namedButtonValueIsKeyedByTheButtonsNumber() throws Exception {
        JsonNode values = json("{\"button_1\":\"inv/9001\",\"first_name\":\"Anna\"}");
        assertEquals(List.of(), TemplateVariables.problems(NAMED_BUTTON, values));
        assertEquals("{\"header\":[],\"body\":[{\"name\":\"first_name\",\"value\":\"Anna\"}],"
                + "\"buttons\":[{\"index\":0,\"value\":\"inv/9001\"}]}",
            TemplateVariables.freeze(NAMED_BUTTON, values).toString());
        assertEquals(List.of("button 1 (URL) needs a value, under the key \"button_1\"",
                "\"button_0\": unexpected, the template has no {{button_0}} placeholder and no URL button of that key"),
            TemplateVariables.problems(NAMED_BUTTON, json("{\"first_name\":\"Anna\",\"button_0\":\"inv/9001\"}")));
    }

    @Test
    void templateWithoutPlaceholdersTakesAnEmptyObject() throws Exception {
        TemplateSpec none = TemplateSpec.parse("[{\"type\":\"BODY\",\"text\":\"Hi\"}]", null);
        assertEquals("{\"header\":[],\"body\":[]}", TemplateVariables.freeze(none, json("{}")).toString());
        assertEquals(List.of("expected 0 values (0 header + 0 body placeholders), got 1"),
            TemplateVariables.problems(none, json("{\"a\":\"x\"}")));
    }

    @Test
    void namedValuesAreMatchedByKeyAndSharedBetweenHeaderAndBody() throws Exception {
        JsonNode values = json("{\"discount\":\"10%\",\"code\":\"SPRING\",\"first_name\":\"Anna\"}");
        assertEquals(List.of(), TemplateVariables.problems(NAMED, values));
        assertEquals(json("""
            {"header":[{"name":"first_name","value":"Anna"}],
             "body":[{"name":"first_name","value":"Anna"},{"name":"code","value":"SPRING"},
                     {"name":"discount","value":"10%"}]}"""),
            TemplateVariables.freeze(NAMED, values));
    }

    @Test
    void namedMissingAndUnexpectedAreReportedByName() throws Exception {
        assertEquals(List.of(
                "\"code\": missing, the template uses {{code}}",
                "\"discount\": missing, the template uses {{discount}}",
                "\"firstname\": unexpected, the template has no {{firstname}} placeholder"),
            TemplateVariables.problems(NAMED, json("{\"first_name\":\"Anna\",\"firstname\":\"Anna\"}")));
    }

    @Test
    void valuesOfUnexpectedNamedKeysAreNotChecked() throws Exception {
        assertEquals(List.of("\"extra\": unexpected, the template has no {{extra}} placeholder"),
            TemplateVariables.problems(NAMED,
                json("{\"first_name\":\"A\",\"code\":\"B\",\"discount\":\"C\",\"extra\":null}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"10%\\noff\"|must not contain a newline or tab (Meta error 132018)",
        "\"10%\\r\\noff\"|must not contain a newline or tab (Meta error 132018)",
        "\"10%\\toff\"|must not contain a newline or tab (Meta error 132018)",
        "\"10%     off\"|must not contain more than 4 consecutive spaces (Meta error 132018)",
        "\"     \"|must not be empty",
        "\"\"|must not be empty",
        "\" \\n \"|must not be empty",
        "null|must be a string or number, not null",
        "true|must be a string or number, not boolean",
        "{}|must be a string or number, not object",
        "[\"10%\"]|must be a string or number, not array",
        "1e400|must be a finite number",
    })
    void badValueIsReportedWithItsKey(String value, String problem) throws Exception {
        assertEquals(List.of("\"discount\": " + problem),
            TemplateVariables.problems(NAMED, json("{\"first_name\":\"A\",\"code\":\"B\",\"discount\":" + value + "}")));
    }

    @Test
    void exactlyFourSpacesAreAllowed() throws Exception {
        JsonNode values = json("{\"a\":\"10%    off\"}");
        assertEquals(List.of(), TemplateVariables.problems(BODY_ONLY, values));
        assertEquals("10%    off", TemplateVariables.freeze(BODY_ONLY, values).at("/body/0/value").asText());
    }

    @Test
    void oneValueCanHaveSeveralProblemsAndAllKeysAreChecked() throws Exception {
        assertEquals(List.of(
                "expected 1 value (0 header + 1 body placeholder), got 2",
                "\"a\": must not contain a newline or tab (Meta error 132018)",
                "\"a\": must not contain more than 4 consecutive spaces (Meta error 132018)",
                "\"b\": must not be empty"),
            TemplateVariables.problems(BODY_ONLY, json("{\"a\":\"x\\n     y\",\"b\":\" \"}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "9001|9001",
        "-42|-42",
        "9001.0|9001",
        "19.99|19.99",
        "19.50|19.5",
        "0.0|0",
        "1e20|100000000000000000000",
        "1.5E-7|0.00000015",
        "12345678901234567890123|12345678901234567890123",
    })
    void numbersAreFrozenAsPlainStrings(String number, String expected) throws Exception {
        assertEquals(expected, TemplateVariables.freeze(BODY_ONLY, json("{\"a\":" + number + "}"))
            .at("/body/0/value").textValue());
    }

    @Test
    void floatAndNonFiniteNodesBuiltInCode() {
        ObjectNode values = MAPPER.createObjectNode();
        values.set("a", FloatNode.valueOf(0.1f));
        assertEquals("0.1", TemplateVariables.freeze(BODY_ONLY, values).at("/body/0/value").textValue());
        values.set("a", DoubleNode.valueOf(Double.NaN));
        assertEquals(List.of("\"a\": must be a finite number"), TemplateVariables.problems(BODY_ONLY, values));
    }

    @Test
    void valuesMustBeAnObject() throws Exception {
        assertEquals(List.of("values must be a JSON object, got array"),
            TemplateVariables.problems(BODY_ONLY, json("[\"x\"]")));
        assertEquals(List.of("values must be a JSON object, got nothing"),
            TemplateVariables.problems(BODY_ONLY, null));
    }

    @Test
    void freezeRefusesValuesWithProblems() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TemplateVariables.freeze(POSITIONAL, json("{\"a\":\"x\"}")));
        assertEquals("template values are not valid: expected 3 values (1 header + 2 body placeholders), got 1",
            e.getMessage());
    }

    @Test
    void keysAreQuotedAsJson() throws Exception {
        List<String> problems = TemplateVariables.problems(BODY_ONLY, json("{\"say \\\"hi\\\"\":\"\"}"));
        assertTrue(problems.contains("\"say \\\"hi\\\"\": must not be empty"), problems.toString());
    }
}
