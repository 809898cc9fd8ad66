package herald.whatsapp;

import herald.whatsapp.CloudApiOutcome.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorClassifierTest {

    private static String error(int code) {
        return "{\"error\":{\"message\":\"(#" + code + ") something\",\"type\":\"OAuthException\",\"code\":" + code
                + ",\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"details of " + code + "\"},"
                + "\"fbtrace_id\":\"AbCdEf\"}}";
    }

    @ParameterizedTest(name = "code {0} -> {1}")
    @CsvSource({
            "0, ACCOUNT_MUST_STOP", "190, ACCOUNT_MUST_STOP",
            "3, ACCOUNT_MUST_STOP", "10, ACCOUNT_MUST_STOP", "200, ACCOUNT_MUST_STOP", "250, ACCOUNT_MUST_STOP",
            "299, ACCOUNT_MUST_STOP", "131005, ACCOUNT_MUST_STOP",
            "368, ACCOUNT_MUST_STOP", "131031, ACCOUNT_MUST_STOP",
            "131042, ACCOUNT_MUST_STOP",
            "131045, ACCOUNT_MUST_STOP", "133010, ACCOUNT_MUST_STOP",
            "131048, CAMPAIGN_MUST_PAUSE",
            "131064, CAMPAIGN_MUST_PAUSE",
            "132001, CAMPAIGN_MUST_PAUSE",
            "132015, CAMPAIGN_MUST_PAUSE",
            "132016, CAMPAIGN_MUST_PAUSE",
            "4, RETRY_LATER", "80007, RETRY_LATER",
            "130429, RETRY_LATER",
            "131056, RETRY_LATER",
            "1, RETRY_LATER", "2, RETRY_LATER", "131000, RETRY_LATER", "131016, RETRY_LATER", "131057, RETRY_LATER",
            "100, RECIPIENT_FAILED", "131008, RECIPIENT_FAILED", "131009, RECIPIENT_FAILED",
            "132000, RECIPIENT_FAILED", "132012, RECIPIENT_FAILED", "132018, RECIPIENT_FAILED",
            "132005, RECIPIENT_FAILED", "132007, RECIPIENT_FAILED",
            "131021, RECIPIENT_FAILED",
            "130497, RECIPIENT_FAILED",
            "131026, RECIPIENT_FAILED",
            "131049, RECIPIENT_FAILED",
            "131050, RECIPIENT_FAILED",
            "130472, RECIPIENT_FAILED",
            "131051, RECIPIENT_FAILED",
            "131053, RECIPIENT_FAILED",
            "135000, RECIPIENT_FAILED"
    })
    void everyReferenceCodeIsClassifiedByCode(int code, Kind expected) {
        for (int status : new int[] {400, 401, 429, 500}) {
            CloudApiOutcome outcome = ErrorClassifier.classify(status, error(code));
            assertEquals(expected, outcome.kind(), "HTTP " + status);
            assertEquals(code, outcome.code());
            assertEquals(status, outcome.httpStatus());
        }
    }

    @Test
    void failureCarriesMetasFields() {
        CloudApiOutcome outcome = ErrorClassifier.classify(400, error(132018));
        assertEquals("OAuthException", outcome.title());
        assertEquals("(#132018) something", outcome.message());
        assertEquals("details of 132018", outcome.details());
        assertEquals("AbCdEf", outcome.fbtraceId());
        assertNull(outcome.wamid());
        assertEquals(0, outcome.retryAfterMillis());
    }

    @Test
    void webhookStyleTitleWinsOverType() {
        CloudApiOutcome outcome = ErrorClassifier.classify(400,
                "{\"error\":{\"code\":131026,\"title\":\"Message undeliverable\",\"type\":\"OAuthException\"}}");
        assertEquals("Message undeliverable", outcome.title());
    }

    @Test
    void retrySuggestionsFollowTheCause() {
        assertEquals(1_000, ErrorClassifier.classify(400, error(130429)).retryAfterMillis());
        assertEquals(60_000, ErrorClassifier.classify(400, error(4)).retryAfterMillis());
        assertEquals(60_000, ErrorClassifier.classify(400, error(80007)).retryAfterMillis());
        assertEquals(60_000, ErrorClassifier.classify(503, error(131057)).retryAfterMillis());
        assertEquals(5_000, ErrorClassifier.classify(500, error(131000)).retryAfterMillis());
        assertEquals(5_000, ErrorClassifier.classify(500, error(1)).retryAfterMillis());
    }

    @Test
    void onlyPairRateIsPerRecipient() {
        CloudApiOutcome pair = ErrorClassifier.classify(400, error(131056));
        assertTrue(pair.pairRate());
        assertEquals(1_000, pair.retryAfterMillis());
        assertFalse(ErrorClassifier.classify(400, error(130429)).pairRate());
    }

    @Test
    void acceptedAnswerYieldsWamidStatusAndWaId() {
        CloudApiOutcome outcome = ErrorClassifier.classify(200, "{\"messaging_product\":\"whatsapp\","
                + "\"contacts\":[{\"input\":\"+4915112345678\",\"wa_id\":\"4915112345678\"}],"
                + "\"messages\":[{\"id\":\"wamid.HBgLNDk=\",\"message_status\":\"held_for_quality_assessment\"}]}");
        assertEquals(Kind.ACCEPTED, outcome.kind());
        assertEquals("wamid.HBgLNDk=", outcome.wamid());
        assertEquals("held_for_quality_assessment", outcome.messageStatus());
        assertEquals("4915112345678", outcome.waId());
        assertNull(outcome.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"messaging_product\":\"whatsapp\",\"messages\":[]}", "{}", "", "not json"})
    void successStatusWithoutWamidIsUnknown(String body) {
        assertEquals(Kind.UNKNOWN, ErrorClassifier.classify(200, body).kind());
    }

    @ParameterizedTest(name = "HTTP {0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "500|<html><body><h1>500 Internal Server Error</h1></body></html>",
            "502|<html><body><h1>502 Bad Gateway</h1></body></html>",
            "503|Service Unavailable",
            "504|<html><h1>504 Gateway Time-out</h1></html>",
            "502|''",
            "503|{\"message\":\"upstream connect error\"}",
            "500|{\"error\":{\"message\":\"no code\"}}"})
    void serverErrorWithoutGraphErrorCodeIsUnknownNeverRetried(int status, String body) {
        // A proxy or load balancer answered, not Meta: the request may have reached Meta anyway.
        CloudApiOutcome outcome = ErrorClassifier.classify(status, body);
        assertEquals(Kind.UNKNOWN, outcome.kind());
        assertNull(outcome.code());
        assertEquals(status, outcome.httpStatus());
        assertEquals(0, outcome.retryAfterMillis());
        assertTrue(outcome.message().contains("HTTP " + status), outcome::message);
    }

    @ParameterizedTest(name = "HTTP {0}, code {1}")
    @CsvSource({"500, 1", "503, 2", "500, 131000", "502, 131000", "503, 131016", "503, 131057", "504, 131000",
            "503, 133004"})
    void serverErrorWithTransientGraphCodeIsRetried(int status, int code) {
        // Meta answered with an error of its own: nothing was sent, a retry cannot deliver twice.
        CloudApiOutcome outcome = ErrorClassifier.classify(status, error(code));
        assertEquals(Kind.RETRY_LATER, outcome.kind());
        assertEquals(code, outcome.code());
        assertTrue(outcome.retryAfterMillis() > 0);
    }

    @Test
    void serverErrorWithGraphCodeKeepsWhatTheCodeSays() {
        assertEquals(Kind.ACCOUNT_MUST_STOP, ErrorClassifier.classify(503, error(190)).kind());
        assertEquals(Kind.CAMPAIGN_MUST_PAUSE, ErrorClassifier.classify(502, error(132015)).kind());
        assertEquals(Kind.RECIPIENT_FAILED, ErrorClassifier.classify(500, error(131026)).kind());
    }

    @Test
    void nonServerErrorWithoutGraphBodyPausesTheCampaign() {
        assertEquals(Kind.CAMPAIGN_MUST_PAUSE, ErrorClassifier.classify(404, "Not Found").kind());
    }

    @Test
    void unknownCodeOnClientErrorFailsTheRecipientAndKeepsTheCode() {
        CloudApiOutcome outcome = ErrorClassifier.classify(400, error(139999));
        assertEquals(Kind.RECIPIENT_FAILED, outcome.kind());
        assertEquals(139999, outcome.code());
    }

    @Test
    void unknownCodeOnServerErrorIsRetried() {
        assertEquals(Kind.RETRY_LATER, ErrorClassifier.classify(500, error(139999)).kind());
    }

    @Test
    void unknownOutcomeKeepsTheReason() {
        CloudApiOutcome outcome = ErrorClassifier.unknown("read timed out after 10 s");
        assertEquals(Kind.UNKNOWN, outcome.kind());
        assertEquals("read timed out after 10 s", outcome.message());
        assertEquals(0, outcome.httpStatus());
    }

    @Test
    void resendIsForbiddenOnlyForOptOutAndEcosystemCodes() {
        assertTrue(ErrorClassifier.resendForbidden(131050));
        assertTrue(ErrorClassifier.resendForbidden(131049));
        assertTrue(ErrorClassifier.resendForbidden(130472));
        assertFalse(ErrorClassifier.resendForbidden(131026));
        assertFalse(ErrorClassifier.resendForbidden(130429));
    }
}
