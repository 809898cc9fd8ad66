package herald.domain;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a recipient's phone number as typed into a spreadsheet into the E.164 form WhatsApp expects.
 * Holds no mutable state, so one instance can be shared across threads.
 */
public final class PhoneNormaliser {

    /** Outcome for one number: exactly one of {@code e164} and {@code error} is non-null. */
    public record Result(String e164, String error) {

        public Result {
            if ((e164 == null) == (error == null)) {
                throw new IllegalArgumentException("exactly one of e164 and error must be set");
            }
        }

        public boolean ok() {
            return error == null;
        }

        static Result valid(String e164) {
            return new Result(e164, null);
        }

        static Result invalid(String error) {
            return new Result(null, error);
        }
    }

    // libphonenumber would quietly read letters as keypad digits ("1-800-FLOWERS") and strip
    // extensions; a bulk sender must not guess, so only plain punctuation is let through.
    private static final Pattern ACCEPTED = Pattern.compile("\\+?[0-9 ()\\-]+");
    private static final Pattern PUNCTUATION = Pattern.compile("[ ()\\-]");
    private static final int E164_MAX_DIGITS = 15;

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private final String defaultRegion;

    public PhoneNormaliser(String defaultRegion) {
        if (defaultRegion == null) {
            throw new IllegalArgumentException("default region is required");
        }
        String region = defaultRegion.trim().toUpperCase(Locale.ROOT);
        if (!UTIL.getSupportedRegions().contains(region)) {
            throw new IllegalArgumentException("unknown phone region: " + defaultRegion);
        }
        this.defaultRegion = region;
    }

    public Result normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            return Result.invalid("is empty");
        }
        String trimmed = raw.strip();
        if (!ACCEPTED.matcher(trimmed).matches()) {
            return Result.invalid("is not a phone number");
        }
        String compact = PUNCTUATION.matcher(trimmed).replaceAll("");
        if (compact.startsWith("00")) {
            // 00 is the international prefix in most of the world but not in the US (011),
            // and people paste it whatever the default region is.
            compact = "+" + compact.substring(2);
        }
        if (compact.startsWith("+")) {
            return parse(compact, true);
        }
        Result national = parse(compact, false);
        // Spreadsheets often drop the leading '+', so digits that start with the region's own
        // country code, or that make no valid national number, are tried as international.
        boolean ownCountryCode = compact.startsWith(Integer.toString(UTIL.getCountryCodeForRegion(defaultRegion)));
        if (ownCountryCode || !national.ok()) {
            Result international = parse("+" + compact, true);
            if (international.ok()) {
                return international;
            }
        }
        return national;
    }

    private Result parse(String compact, boolean international) {
        int digits = international ? compact.length() - 1 : compact.length();
        if (digits == 0) {
            return Result.invalid("is not a phone number");
        }
        // Checked here because libphonenumber reports an unknown country code before the length.
        if (international && digits > E164_MAX_DIGITS) {
            return Result.invalid("is too long");
        }
        PhoneNumber number;
        try {
            number = UTIL.parse(compact, defaultRegion);
        } catch (NumberParseException e) {
            return switch (e.getErrorType()) {
                case NOT_A_NUMBER -> Result.invalid("is not a phone number");
                case TOO_LONG -> Result.invalid("is too long");
                default -> Result.invalid(invalidReason(international));
            };
        }
        if (UTIL.isPossibleNumberWithReason(number) == PhoneNumberUtil.ValidationResult.TOO_LONG) {
            return Result.invalid("is too long");
        }
        if (!UTIL.isValidNumber(number)) {
            return Result.invalid(invalidReason(international));
        }
        return Result.valid(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
    }

    private String invalidReason(boolean international) {
        return international ? "is not a valid number" : "is not a valid number for region " + defaultRegion;
    }
}
