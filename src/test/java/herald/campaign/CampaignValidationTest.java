package herald.campaign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.recipient;
import static herald.campaign.CampaignFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every rule a campaign must meet, at save and again at submit: each refusal is a 400 naming the
 * field or the recipient row, and nothing is stored or queued.
 */
class CampaignValidationTest {

    private final CampaignFixture fixture = new CampaignFixture();
    private final ApiClient api = fixture.api;
    private final long account = fixture.account();
    private final String templateName = HeraldServer.unique("rules_notice");
    private final long templateId = fixture.twoValueTemplate(account, templateName);

    private static List<Map<String, Object>> oneRecipient() {
        return List.of(recipient("+4915130000001", "Anna", null));
    }

    private Map<String, Object> valid() {
        return CampaignFixture.commonCampaign(templateId, values("Anna", "A1"), oneRecipient());
    }

    /** Creating the campaign is refused with a problem on {@code field} whose message contains {@code words}. */
    private JsonNode refused(Map<String, Object> request, String field, String words) {
        JsonNode error = api.post("/api/campaigns", request).error(400);
        assertProblem(error, field, words);
        assertTrue(error.path("message").asText().contains(field + ": "), "the summary names the field: " + error);
        assertTrue(fixture.server.query("SELECT id FROM bulk_whatsapp_message WHERE title = ?", request.get("title"))
                .isEmpty(), "a refused campaign is not stored: " + request.get("title"));
        return error;
    }

    /** Submitting the Draft is refused naming {@code field}; it stays a Draft without messages. */
    private JsonNode submitRefused(String name, String field, String words) {
        JsonNode error = api.post("/api/campaigns/" + name + "/submit", Map.of()).error(400);
        assertProblem(error, field, words);
        assertUnsubmitted(name);
        return error;
    }

    private void assertUnsubmitted(String name) {
        assertEquals("Draft", api.get("/api/campaigns/" + name).json(200).path("status").asText());
        assertTrue(fixture.messageRows(name).isEmpty());
    }

    /**
     * The error names the field, in its own "field" or in a problem of "details", with a message
     * containing the given words.
     */
    private static void assertProblem(JsonNode error, String field, String words) {
        List<JsonNode> problems = new ArrayList<>();
        if (error.has("field")) {
            problems.add(error);
        }
        error.path("details").forEach(problems::add);
        for (JsonNode p : problems) {
            if (p.path("field").asText().equals(field) && p.path("message").asText().contains(words)) {
                return;
            }
        }
        fail("no problem on " + field + " saying '" + words + "' in " + error);
    }

    @Test
    void aValidRequestIsSavedAsADraft() {
        JsonNode created = api.post("/api/campaigns", valid()).json(201);
        assertEquals("Draft", created.path("status").asText());
        assertEquals(templateId, created.path("templateId").asLong());
        assertTrue(created.path("accountId").isNull(), "no override: the template's account sends");
    }

    @Test
    void templateIsRequiredKnownAndApproved() {
        Map<String, Object> missing = valid();
        missing.remove("templateId");
        refused(missing, "templateId", "is required");

        Map<String, Object> unknown = valid();
        unknown.put("templateId", 987654321);
        refused(unknown, "templateId", "no WhatsApp Template has id 987654321");

        long paused = fixture.template(account, HeraldServer.unique("paused_notice"), "en", "PAUSED", "POSITIONAL",
                "[{\"type\":\"BODY\",\"text\":\"" + CampaignFixture.TWO_VALUES_BODY + "\"}]");
        Map<String, Object> notApproved = valid();
        notApproved.put("templateId", paused);
        refused(notApproved, "templateId", "is PAUSED; only an APPROVED template can be sent");
    }

    @Test
    void submitChecksTheTemplateAndAccountAgain() {
        long otherTemplate = fixture.twoValueTemplate(account, HeraldServer.unique("later_rejected"));
        Map<String, Object> request = valid();
        request.put("templateId", otherTemplate);
        String name = fixture.create(request);
        api.put("/api/templates/" + otherTemplate, Map.of("status", "REJECTED")).expect(200);
        submitRefused(name, "templateId", "is REJECTED");

        long laterInactive = fixture.account();
        long laterInactiveTemplate = fixture.twoValueTemplate(laterInactive, HeraldServer.unique("account_stops"));
        String stopped = fixture.create(CampaignFixture.commonCampaign(laterInactiveTemplate, values("A", "B"),
                oneRecipient()));
        api.put("/api/accounts/" + laterInactive, Map.of("active", false)).expect(200);
        submitRefused(stopped, "accountId", "is not active");
    }

    @Test
    void overrideAccountMustBeActiveAndHaveTheTemplateApproved() {
        long inactive = fixture.account(Map.of("active", false));
        fixture.twoValueTemplate(inactive, templateName);
        Map<String, Object> toInactive = valid();
        toInactive.put("accountId", inactive);
        refused(toInactive, "accountId", "is not active");

        long withoutTemplate = fixture.account();
        Map<String, Object> lacking = valid();
        lacking.put("accountId", withoutTemplate);
        refused(lacking, "accountId", "has no template " + templateName + " in en");

        long otherLanguage = fixture.account();
        fixture.template(otherLanguage, templateName, "de", "APPROVED", "POSITIONAL",
                "[{\"type\":\"BODY\",\"text\":\"Hallo {{1}}, Ihr Code ist {{2}}.\"}]");
        Map<String, Object> german = valid();
        german.put("accountId", otherLanguage);
        refused(german, "accountId", "has no template " + templateName + " in en");

        long pausedThere = fixture.account();
        fixture.template(pausedThere, templateName, "en", "PAUSED", "POSITIONAL",
                "[{\"type\":\"BODY\",\"text\":\"" + CampaignFixture.TWO_VALUES_BODY + "\"}]");
        Map<String, Object> paused = valid();
        paused.put("accountId", pausedThere);
        refused(paused, "accountId", "(en) is PAUSED, not APPROVED");

        Map<String, Object> unknown = valid();
        unknown.put("accountId", 987654321);
        refused(unknown, "accountId", "no WhatsApp Account has id 987654321");
    }

    @Test
    void commonPositionalValuesMustMatchThePlaceholderCount() {
        Map<String, Object> tooFew = valid();
        tooFew.put("templateVariables", Map.of("name", "Anna"));
        refused(tooFew, "templateVariables", "expected 2 values");

        Map<String, Object> tooMany = valid();
        Map<String, Object> three = new LinkedHashMap<>(values("Anna", "A1"));
        three.put("extra", "x");
        tooMany.put("templateVariables", three);
        refused(tooMany, "templateVariables", "got 3");

        Map<String, Object> notAnObject = valid();
        notAnObject.put("templateVariables", List.of("Anna", "A1"));
        refused(notAnObject, "templateVariables", "must be a JSON object");
    }

    @Test
    void commonNamedValuesMustMatchThePlaceholderNames() {
        long named = fixture.template(account, HeraldServer.unique("named_sale"), "en", "APPROVED", "NAMED",
                "[{\"type\":\"BODY\",\"text\":\"Hi {{first_name}}, {{discount}} off today.\"}]");
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("first_name", "Anna");
        values.put("coupon", "15%");
        Map<String, Object> request = CampaignFixture.commonCampaign(named, values, oneRecipient());
        JsonNode error = refused(request, "templateVariables", "\"discount\": missing");
        assertProblem(error, "templateVariables", "\"coupon\": unexpected");

        Map<String, Object> right = new LinkedHashMap<>();
        right.put("discount", "15%");
        right.put("first_name", "Anna");
        api.post("/api/campaigns", CampaignFixture.commonCampaign(named, right, oneRecipient())).expect(201);
    }

    @Test
    void urlButtonValuesAreCheckedNamingTheButton() {
        String buttons = "{\"type\":\"BUTTONS\",\"buttons\":[{\"type\":\"URL\",\"text\":\"Open\","
                + "\"url\":\"https://pay.test/{{1}}\"}]}";
        long positional = fixture.template(account, HeraldServer.unique("link_notice"), "en", "APPROVED", "POSITIONAL",
                "[{\"type\":\"BODY\",\"text\":\"Invoice {{1}}\"}," + buttons + "]");
        Map<String, Object> onlyBody = new LinkedHashMap<>();
        onlyBody.put("invoice", "9001");
        refused(CampaignFixture.commonCampaign(positional, onlyBody, oneRecipient()), "templateVariables",
                "button 1 (URL) needs a value: value 2 in key order");
        Map<String, Object> emptyLink = new LinkedHashMap<>(onlyBody);
        emptyLink.put("link", " ");
        refused(CampaignFixture.commonCampaign(positional, emptyLink, oneRecipient()), "templateVariables",
                "button 1 (URL) \"link\": must not be empty");
        Map<String, Object> both = new LinkedHashMap<>(onlyBody);
        both.put("link", "inv/9001");
        api.post("/api/campaigns", CampaignFixture.commonCampaign(positional, both, oneRecipient())).expect(201);

        long named = fixture.template(account, HeraldServer.unique("link_named"), "en", "APPROVED", "NAMED",
                "[{\"type\":\"BODY\",\"text\":\"Hi {{first_name}}\"}," + buttons + "]");
        Map<String, Object> noKey = new LinkedHashMap<>();
        noKey.put("first_name", "Anna");
        noKey.put("link", "inv/9001");
        JsonNode error = refused(CampaignFixture.commonCampaign(named, noKey, oneRecipient()), "templateVariables",
                "button 1 (URL) needs a value, under the key \"button_1\"");
        assertProblem(error, "templateVariables", "\"link\": unexpected");
        Map<String, Object> keyed = new LinkedHashMap<>();
        keyed.put("button_1", "inv/9001");
        keyed.put("first_name", "Anna");
        api.post("/api/campaigns", CampaignFixture.commonCampaign(named, keyed, oneRecipient())).expect(201);
    }

    @Test
    void valuesMetaRefusesAreRefused() {
        for (String bad : List.of("two\nlines", "a\ttab", "five     spaces")) {
            Map<String, Object> request = valid();
            request.put("templateVariables", values("Anna", bad));
            assertProblem(refused(request, "templateVariables", "\"code\": must not contain"), "templateVariables", "132018");
        }
        for (String empty : List.of("", "   ")) {
            Map<String, Object> request = valid();
            request.put("templateVariables", values(empty, "A1"));
            refused(request, "templateVariables", "\"name\": must not be empty");
        }
        Map<String, Object> fourSpaces = valid();
        fourSpaces.put("templateVariables", values("Anna", "four    spaces"));
        api.post("/api/campaigns", fourSpaces).expect(201);
    }

    @Test
    void uniqueTakesNoCommonValues() {
        Map<String, Object> request = CampaignFixture.uniqueCampaign(templateId,
                List.of(recipient("+4915130000002", "Ben", values("Ben", "B2"))));
        request.put("templateVariables", values("Anna", "A1"));
        refused(request, "templateVariables", "must be empty for Unique");

        request.put("templateVariables", Map.of());
        api.post("/api/campaigns", request).expect(201);
    }

    @Test
    void badRecipientRowsRefuseTheSubmitWithTheFirstHundredAndTheirCount() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i <= 150; i++) {
            rows.add(i % 3 == 0
                    ? recipient("not a number " + i, "Bad number " + i, values("R" + i, "C" + i))
                    : recipient(String.format("+491513%07d", i), "Short data " + i, Map.of("name", "R" + i)));
        }
        rows.add(recipient("+4915139999999", "Good", values("Good", "G1")));
        String name = fixture.create(CampaignFixture.uniqueCampaign(templateId, List.of()));
        fixture.storeUnchecked(name, rows);

        JsonNode error = submitRefused(name, "recipients[1]", "recipient_data: expected 2 values");
        assertEquals("validation_failed", error.path("code").asText());
        assertTrue(error.path("message").asText().startsWith("150 recipient row(s) cannot be sent; the first 100"),
                error.path("message").asText());
        assertEquals(150, error.path("total").asLong(), "every bad row is counted: " + error.path("message"));
        JsonNode details = error.path("details");
        assertEquals(100, details.size(), "at most 100 problems are answered");
        for (int i = 0; i < details.size(); i++) {
            int row = i + 1;
            assertEquals("recipients[" + row + "]", details.path(i).path("field").asText());
            String expected = row % 3 == 0 ? "mobile_number 'not a number " + row + "' is not a phone number"
                    : "expected 2 values";
            assertTrue(details.path(i).path("message").asText().contains(expected), details.path(i)::toString);
        }
    }

    @Test
    void enteredRowsAreCheckedWhenSaved() {
        List<Map<String, Object>> rows = List.of(
                recipient("+4915130000101", "Good", values("Anna", "A1")),
                recipient("call me", "Bad number", values("Ben", "B2")),
                recipient("+4915130000103", "Too few values", Map.of("name", "Cleo")),
                recipient("12", "Both wrong", Map.of("name", "Dev")));
        Map<String, Object> unique = CampaignFixture.uniqueCampaign(templateId, rows);
        JsonNode error = refused(unique, "recipients[2].mobileNumber", "mobile_number 'call me' is not a phone number");
        assertProblem(error, "recipients[3].recipientData", "recipient_data: expected 2 values");
        assertProblem(error, "recipients[4].mobileNumber", "mobile_number '12'");
        assertProblem(error, "recipients[4].recipientData", "expected 2 values");
        assertEquals(4, error.path("details").size(), error::toString);

        // Common values come from the campaign, so a row's Recipient Data is not checked against the template.
        Map<String, Object> common = CampaignFixture.commonCampaign(templateId, values("A", "B"),
                List.of(recipient("+4915130000105", "Any data", Map.of("name", "only one"))));
        api.post("/api/campaigns", common).expect(201);
        common.put("title", HeraldServer.unique("Common with a bad number"));
        common.put("recipients", List.of(recipient("+4915130000106", "Fine", null), recipient("n/a", "Typo", null)));
        refused(common, "recipients[2].mobileNumber", "'n/a' is not a phone number");
    }

    @Test
    void anEditIsCheckedLikeACreate() {
        String name = fixture.create(valid());
        Map<String, Object> edit = Map.of("recipients", List.of(recipient("+4915130000201", "Kept", null),
                recipient("0049", "Cut off", null)));
        JsonNode error = api.put("/api/campaigns/" + name, edit).error(400);
        assertProblem(error, "recipients[2].mobileNumber", "mobile_number '0049'");
        List<Map<String, Object>> stored = fixture.recipientRows(name);
        assertEquals(1, stored.size(), "the refused edit changed nothing: " + stored);
        assertEquals("+4915130000001", stored.get(0).get("mobile_number"));
    }

    @Test
    void mediaHeadersNeedTheRightAttachment() {
        long document = fixture.mediaTemplate(account, HeraldServer.unique("doc_notice"), "DOCUMENT");
        refused(CampaignFixture.commonCampaign(document, values("A", "B"), oneRecipient()), "attachmentFileId",
                "has a DOCUMENT header: attach a PDF");

        long pdf = fixture.uploadPdf("terms.pdf");
        long image = fixture.mediaTemplate(account, HeraldServer.unique("image_notice"), "IMAGE");
        Map<String, Object> pdfOnImage = CampaignFixture.commonCampaign(image, values("A", "B"), oneRecipient());
        pdfOnImage.put("attachmentFileId", pdf);
        refused(pdfOnImage, "attachmentFileId", "IMAGE header needs a JPEG or PNG image, not application/pdf (terms.pdf)");

        Map<String, Object> noHeader = valid();
        noHeader.put("attachmentFileId", pdf);
        refused(noHeader, "attachmentFileId", "the template has no header, so it cannot carry an attachment");

        Map<String, Object> unknownFile = CampaignFixture.commonCampaign(document, values("A", "B"), oneRecipient());
        unknownFile.put("attachmentFileId", 987654321);
        refused(unknownFile, "attachmentFileId", "no uploaded file has id 987654321");

        Map<String, Object> pdfOnDocument = CampaignFixture.commonCampaign(document, values("A", "B"), oneRecipient());
        pdfOnDocument.put("attachmentFileId", pdf);
        api.post("/api/campaigns", pdfOnDocument).expect(201);
    }

    @Test
    void anEmptyRecipientSetCannotBeSubmitted() {
        String noRows = fixture.create(CampaignFixture.commonCampaign(templateId, values("A", "B"), List.of()));
        assertNoRecipients(noRows);

        long emptyList = api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("Empty list"))).json(201)
                .path("id").asLong();
        Map<String, Object> fromList = valid();
        fromList.remove("recipients");
        fromList.put("recipientType", "Recipient List");
        fromList.put("recipientListId", emptyList);
        assertNoRecipients(fixture.create(fromList));
    }

    private void assertNoRecipients(String name) {
        JsonNode error = api.post("/api/campaigns/" + name + "/submit", Map.of()).error(400);
        assertEquals("validation_failed", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("the campaign has no recipients"), error::toString);
        assertUnsubmitted(name);
    }

    @Test
    void recipientListMustExist() {
        Map<String, Object> request = valid();
        request.remove("recipients");
        request.put("recipientType", "Recipient List");
        refused(request, "recipientListId", "is required when Recipient Type is Recipient List");

        request.put("recipientListId", 987654321);
        refused(request, "recipientListId", "no WhatsApp Recipient List has id 987654321");

        request.put("recipients", oneRecipient());
        long list = api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("Known list"))).json(201)
                .path("id").asLong();
        request.put("recipientListId", list);
        refused(request, "recipients", "must be empty when Recipient Type is Recipient List");
    }

    @Test
    void sandboxAndRealRecordsNeverMix() {
        JsonNode sandboxTemplate = null;
        for (JsonNode t : api.get("/api/templates?status=APPROVED").json(200)) {
            if (t.path("sandbox").asBoolean() && List.of("NONE", "TEXT").contains(t.path("headerKind").asText())) {
                sandboxTemplate = t;
            }
        }
        assertTrue(sandboxTemplate != null, "the test server runs in sandbox mode with an APPROVED sandbox template "
                + "that needs no attachment");
        Map<String, Object> values = new LinkedHashMap<>();
        List<JsonNode> params = new ArrayList<>();
        sandboxTemplate.path("headerParams").forEach(params::add);
        sandboxTemplate.path("bodyParams").forEach(params::add);
        for (int i = 0; i < params.size(); i++) {
            // named placeholders are matched by name, positional ones by key order
            values.put(sandboxTemplate.path("parameterFormat").asText().equals("NAMED") ? params.get(i).asText() : "p" + i,
                    "x");
        }
        String name = sandboxTemplate.path("name").asText();
        String language = sandboxTemplate.path("language").asText();

        // A real account with the same template, so that mixing is the only problem.
        long real = fixture.account();
        long realTemplate = fixture.template(real, name, language, "APPROVED", sandboxTemplate.path("parameterFormat").asText(),
                sandboxTemplate.path("components").toString());
        Map<String, Object> sandboxOnReal = valid();
        sandboxOnReal.put("templateId", sandboxTemplate.path("id").asLong());
        sandboxOnReal.put("accountId", real);
        sandboxOnReal.put("templateVariables", values);
        assertEquals(1, refused(sandboxOnReal, "accountId", "sandbox and real accounts never mix").path("details").size());

        Map<String, Object> realOnSandbox = valid();
        realOnSandbox.put("templateId", realTemplate);
        realOnSandbox.put("accountId", sandboxTemplate.path("accountId").asLong());
        realOnSandbox.put("templateVariables", values);
        assertEquals(1, refused(realOnSandbox, "accountId", "sandbox and real accounts never mix").path("details").size());
    }
}
