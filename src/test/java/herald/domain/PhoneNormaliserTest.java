package herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PhoneNormaliserTest {

    private final PhoneNormaliser de = new PhoneNormaliser("DE");

    @ParameterizedTest
    @CsvSource({
        "DE, 015112345678, +4915112345678",
        "DE, 0151 1234 5678, +4915112345678",
        "DE, (0151) 1234-5678, +4915112345678",
        "DE, +49 151 12345678, +4915112345678",
        "DE, 0049 151 12345678, +4915112345678",
        "DE, 4915112345678, +4915112345678",
        "DE, +49 (0)151 12345678, +4915112345678",
        "DE, 030 1234567, +49301234567",
        "DE, +44 7911 123456, +447911123456",
        "GB, 07911 123456, +447911123456",
        "GB, +44 20 7946 0958, +442079460958",
        "US, (201) 555-0123, +12015550123",
        "US, 1-201-555-0123, +12015550123",
        "US, 0049 151 12345678, +4915112345678",
        "IN, 098765 43210, +919876543210",
        "IN, +91 98765-43210, +919876543210",
        "IN, 0091 98765 43210, +919876543210",
        "IN, 919876543210, +919876543210",
        "US, 4915112345678, +4915112345678",
        "US, 447911123456, +447911123456",
    })
    void normalisesValidNumbersToE164(String region, String raw, String expected) {
        PhoneNormaliser.Result result = new PhoneNormaliser(region).normalise(raw);
        assertTrue(result.ok(), () -> raw + " -> " + result.error());
        assertEquals(expected, result.e164());
        assertNull(result.error());
    }

    @ParameterizedTest
    @CsvSource(value = {
        "DE|0151 CALL ME|is not a phone number",
        "US|1-800-FLOWERS|is not a phone number",
        "DE|+49 151 1234 5678 ext 5|is not a phone number",
        "DE|0151.1234.5678|is not a phone number",
        "DE|49+15112345678|is not a phone number",
        "DE|( )|is not a phone number",
        "DE|00|is not a phone number",
        "DE|1|is not a phone number",
        "DE|12|is not a valid number for region DE",
        "DE|0151 123|is not a valid number for region DE",
        "US|(555) 555-0123|is not a valid number for region US",
        "GB|07911 12345|is not a valid number for region GB",
        "IN|98765 4321|is not a valid number for region IN",
        "DE|+999 1234 5678|is not a valid number",
        "DE|+44 7911 12345|is not a valid number",
        "DE|0049 151 123|is not a valid number",
        "DE|+49 151 1234567890123|is too long",
        "US|0049 1234 5678 9012 3456|is too long",
        "DE|0151 1234 5678 9012 3456 7890|is too long",
    }, delimiter = '|')
    void rejectsInvalidInputWithSpecificReason(String region, String raw, String expected) {
        PhoneNormaliser.Result result = new PhoneNormaliser(region).normalise(raw);
        assertFalse(result.ok(), () -> raw + " -> " + result.e164());
        assertEquals(expected, result.error());
        assertNull(result.e164());
    }

    @Test
    void emptyInputIsReportedAsEmpty() {
        assertEquals("is empty", de.normalise(null).error());
        assertEquals("is empty", de.normalise("").error());
        assertEquals("is empty", de.normalise("  \t ").error());
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertEquals("+4915112345678", de.normalise("  015112345678\t").e164());
    }

    @Test
    void defaultRegionIsCaseInsensitiveAndMustBeKnown() {
        assertEquals("+4915112345678", new PhoneNormaliser("de").normalise("015112345678").e164());
        assertEquals("is not a valid number for region DE",
            new PhoneNormaliser(" de ").normalise("12").error());
        assertThrows(IllegalArgumentException.class, () -> new PhoneNormaliser("XX"));
        assertThrows(IllegalArgumentException.class, () -> new PhoneNormaliser(null));
    }

    @Test
    void resultCarriesExactlyOneOfNumberAndError() {
        assertThrows(IllegalArgumentException.class, () -> new PhoneNormaliser.Result(null, null));
        assertThrows(IllegalArgumentException.class, () -> new PhoneNormaliser.Result("+49", "is empty"));
    }

    @Test
    void oneInstanceCanBeSharedAcrossThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PhoneNormaliser.Result>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String raw = i % 2 == 0 ? "0151 1234 5678" : "0151 123";
                futures.add(pool.submit(() -> de.normalise(raw)));
            }
            for (int i = 0; i < futures.size(); i++) {
                PhoneNormaliser.Result result = futures.get(i).get();
                if (i % 2 == 0) {
                    assertEquals("+4915112345678", result.e164());
                } else {
                    assertEquals("is not a valid number for region DE", result.error());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
