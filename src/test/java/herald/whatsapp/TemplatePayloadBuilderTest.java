package herald.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplatePayloadBuilderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode frozen(String format, String headerJson, String parametersJson) throws Exception {
        return (ObjectNode) MAPPER.readTree("{\"messageId\":917,\"campaign\":\"BULK-WA-2026-00042\","
                + "\"to\":\"+4915112345678\",\"template\":{\"name\":\"invoice_ready\",\"language\":\"de\","
                + "\"parameterFormat\":\"" + format + "\"},\"header\":" + headerJson
                + ",\"parameters\":" + parametersJson + "}");
    }

    private static ObjectNode invoice() throws Exception {
        return frozen("POSITIONAL",
                "{\"kind\":\"DOCUMENT\",\"mediaId\":\"1234567890\",\"filename\":\"Invoice-9001.pdf\"}",
                "{\"header\":[],\"body\":[{\"name\":\"1\",\"value\":\"Anna\"},{\"name\":\"2\",\"value\":\"9001\"}],"
                        + "\"buttons\":[{\"index\":0,\"value\":\"inv/9001\"}]}");
    }

    @Test
    void positionalDocumentTemplateMatchesReferenceBody() throws Exception {
        assertEquals("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\","
                        + "\"to\":\"+4915112345678\",\"type\":\"template\","
                        + "\"biz_opaque_callback_data\":\"BULK-WA-2026-00042:917\","
                        + "\"template\":{\"name\":\"invoice_ready\",\"language\":{\"code\":\"de\"},\"components\":["
                        + "{\"type\":\"header\",\"parameters\":[{\"type\":\"document\","
                        + "\"document\":{\"id\":\"1234567890\",\"filename\":\"Invoice-9001.pdf\"}}]},"
                        + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Anna\"},"
                        + "{\"type\":\"text\",\"text\":\"9001\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"0\","
                        + "\"parameters\":[{\"type\":\"text\",\"text\":\"inv/9001\"}]}]}}",
                TemplatePayloadBuilder.build(invoice()));
    }

    @Test
    void everyUrlButtonFollowsTheBodyInItsOwnComponentWithoutAName() throws Exception {
        ObjectNode message = frozen("NAMED", "{\"kind\":\"NONE\"}",
                "{\"body\":[{\"name\":\"first_name\",\"value\":\"Anna\"}],"
                        + "\"buttons\":[{\"index\":1,\"value\":\"track/77\"},{\"index\":2,\"value\":\"inv/9001\"}]}");
        assertEquals("{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"parameter_name\":\"first_name\",\"text\":\"Anna\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"1\",\"parameters\":[{\"type\":\"text\",\"text\":\"track/77\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"2\",\"parameters\":[{\"type\":\"text\",\"text\":\"inv/9001\"}]}",
                componentsOf(TemplatePayloadBuilder.build(message)));
    }

    @Test
    void buttonsMustBeAnArrayOfIndexedValues() throws Exception {
        ObjectNode notArray = frozen("POSITIONAL", "{\"kind\":\"NONE\"}", "{\"buttons\":{\"index\":0,\"value\":\"x\"}}");
        assertEquals("parameters.buttons must be an array",
                assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(notArray)).getMessage());
        ObjectNode negative = frozen("POSITIONAL", "{\"kind\":\"NONE\"}", "{\"buttons\":[{\"index\":-1,\"value\":\"x\"}]}");
        assertEquals("missing parameters.buttons[0].index",
                assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(negative)).getMessage());
    }

    @Test
    void namedTemplateNamesEveryTextParameter() throws Exception {
        ObjectNode message = frozen("NAMED", "{\"kind\":\"TEXT\"}",
                "{\"header\":[{\"name\":\"first_name\",\"value\":\"Anna\"}],"
                        + "\"body\":[{\"name\":\"first_name\",\"value\":\"Anna\"},{\"name\":\"invoice_no\",\"value\":\"9001\"}]}");
        assertEquals("{\"type\":\"header\",\"parameters\":[{\"type\":\"text\",\"parameter_name\":\"first_name\",\"text\":\"Anna\"}]},"
                        + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"parameter_name\":\"first_name\",\"text\":\"Anna\"},"
                        + "{\"type\":\"text\",\"parameter_name\":\"invoice_no\",\"text\":\"9001\"}]}",
                componentsOf(TemplatePayloadBuilder.build(message)));
    }

    @Test
    void positionalTextHeaderCarriesNoParameterName() throws Exception {
        ObjectNode message = frozen("POSITIONAL", "{\"kind\":\"TEXT\"}",
                "{\"header\":[{\"name\":\"1\",\"value\":\"Anna\"}],\"body\":[]}");
        assertEquals("{\"type\":\"header\",\"parameters\":[{\"type\":\"text\",\"text\":\"Anna\"}]}",
                componentsOf(TemplatePayloadBuilder.build(message)));
    }

    @Test
    void imageAndVideoHeadersCarryOnlyTheMediaId() throws Exception {
        ObjectNode image = frozen("POSITIONAL", "{\"kind\":\"IMAGE\",\"mediaId\":\"77\",\"filename\":\"x.jpg\"}", "{\"body\":[]}");
        assertEquals("{\"type\":\"header\",\"parameters\":[{\"type\":\"image\",\"image\":{\"id\":\"77\"}}]}",
                componentsOf(TemplatePayloadBuilder.build(image)));
        ObjectNode video = frozen("POSITIONAL", "{\"kind\":\"VIDEO\",\"mediaId\":\"78\"}", "{\"body\":[]}");
        assertEquals("{\"type\":\"header\",\"parameters\":[{\"type\":\"video\",\"video\":{\"id\":\"78\"}}]}",
                componentsOf(TemplatePayloadBuilder.build(video)));
    }

    @Test
    void documentWithoutFilenameOmitsIt() throws Exception {
        ObjectNode message = frozen("POSITIONAL", "{\"kind\":\"DOCUMENT\",\"mediaId\":\"5\"}", "{\"body\":[]}");
        assertEquals("{\"type\":\"header\",\"parameters\":[{\"type\":\"document\",\"document\":{\"id\":\"5\"}}]}",
                componentsOf(TemplatePayloadBuilder.build(message)));
    }

    @Test
    void templateWithoutHeaderOrParametersHasNoComponents() throws Exception {
        ObjectNode message = frozen("POSITIONAL", "{\"kind\":\"NONE\"}", "{\"header\":[],\"body\":[]}");
        assertEquals("{\"name\":\"invoice_ready\",\"language\":{\"code\":\"de\"}}",
                MAPPER.readTree(TemplatePayloadBuilder.build(message)).get("template").toString());
        ObjectNode staticTextHeader = frozen("POSITIONAL", "{\"kind\":\"TEXT\"}", "{}");
        assertEquals("{\"name\":\"invoice_ready\",\"language\":{\"code\":\"de\"}}",
                MAPPER.readTree(TemplatePayloadBuilder.build(staticTextHeader)).get("template").toString());
    }

    @ParameterizedTest
    @CsvSource({
            "messageId, messageId",
            "campaign, campaign",
            "to, to",
            "template, template",
            "template.name, template.name",
            "template.language, template.language",
            "template.parameterFormat, template.parameterFormat",
            "header, header",
            "header.kind, header.kind",
            "header.mediaId, header.mediaId",
            "parameters.body.1.value, parameters.body[1].value",
            "parameters.buttons.0.index, parameters.buttons[0].index",
            "parameters.buttons.0.value, parameters.buttons[0].value"
    })
    void missingFieldIsNamed(String path, String expectedName) throws Exception {
        ObjectNode message = invoice();
        String[] steps = path.split("\\.");
        JsonNode parent = message;
        for (int i = 0; i < steps.length - 1; i++) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(steps[i])) : parent.get(steps[i]);
        }
        ((ObjectNode) parent).remove(steps[steps.length - 1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(message));
        assertEquals("missing " + expectedName, e.getMessage());
    }

    @Test
    void emptyValueIsRefusedLikeMetaWould() throws Exception {
        ObjectNode message = frozen("POSITIONAL", "{\"kind\":\"NONE\"}", "{\"body\":[{\"name\":\"1\",\"value\":\"\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(message));
        assertEquals("missing parameters.body[0].value", e.getMessage());
    }

    @Test
    void namedTemplateNeedsParameterNames() throws Exception {
        ObjectNode message = frozen("NAMED", "{\"kind\":\"NONE\"}", "{\"body\":[{\"value\":\"Anna\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(message));
        assertEquals("missing parameters.body[0].name", e.getMessage());
    }

    @Test
    void numberWithoutPlusIsRefused() throws Exception {
        ObjectNode message = invoice();
        message.put("to", "4915112345678");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(message));
        assertTrue(e.getMessage().startsWith("to must be E.164"), e.getMessage());
    }

    @Test
    void unknownValuesOfEnumsAreRefused() throws Exception {
        ObjectNode badKind = frozen("POSITIONAL", "{\"kind\":\"LOCATION\"}", "{}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(badKind))
                .getMessage().startsWith("header.kind"));
        ObjectNode badFormat = frozen("MIXED", "{\"kind\":\"NONE\"}", "{}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(badFormat))
                .getMessage().startsWith("template.parameterFormat"));
    }

    @Test
    void nonObjectInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(null));
        assertThrows(IllegalArgumentException.class, () -> TemplatePayloadBuilder.build(MAPPER.createArrayNode()));
    }

    private static String componentsOf(String json) throws Exception {
        String components = MAPPER.readTree(json).path("template").path("components").toString();
        return components.substring(1, components.length() - 1);
    }
}
