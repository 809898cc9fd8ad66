package herald.simulator;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Everything a {@link CloudApiSimulator} is started with. Built once; the few values that may
 * change while it runs (throughput cap and injected failure shares) are copied into the
 * simulator and changed through {@code POST /sim/config}. Durations are milliseconds.
 */
public final class SimulatorConfig {

    final String bindAddress;
    final int port;
    final int httpThreads;
    final String accessToken;
    final String wabaId;
    final Map<String, String> phoneNumbers;
    final List<SimTemplate> templates;
    final int throughputPerSecond;
    final long latencyMillis;
    final long jitterMillis;
    final double serverErrorShare;
    final double transientErrorShare;
    final double lostAnswerShare;
    final long seed;
    final int pairRateMaxSends;
    final long pairRateWindowMillis;
    final Map<String, Integer> asyncFailures;
    final URI webhookUrl;
    final String appSecret;
    final int webhookBatchSize;
    final long webhookLingerMillis;
    final long deliveredAfterMillis;
    final long readAfterMillis;
    final double skippedDeliveredShare;
    final double duplicateShare;
    final double outOfOrderShare;
    final int webhookMaxAttempts;
    final long webhookRetryMillis;
    final LongSupplier nanoClock;

    private SimulatorConfig(Builder b) {
        bindAddress = b.bindAddress;
        port = b.port;
        httpThreads = b.httpThreads;
        accessToken = b.accessToken;
        wabaId = b.wabaId;
        phoneNumbers = b.phoneNumbers.isEmpty()
                ? Map.of(Builder.DEFAULT_PHONE_NUMBER_ID, Builder.DEFAULT_DISPLAY_NUMBER)
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.phoneNumbers));
        templates = List.copyOf(b.templates);
        throughputPerSecond = b.throughputPerSecond;
        latencyMillis = b.latencyMillis;
        jitterMillis = b.jitterMillis;
        serverErrorShare = b.serverErrorShare;
        transientErrorShare = b.transientErrorShare;
        lostAnswerShare = b.lostAnswerShare;
        seed = b.seed;
        pairRateMaxSends = b.pairRateMaxSends;
        pairRateWindowMillis = b.pairRateWindowMillis;
        asyncFailures = Map.copyOf(b.asyncFailures);
        webhookUrl = b.webhookUrl;
        appSecret = b.appSecret;
        webhookBatchSize = b.webhookBatchSize;
        webhookLingerMillis = b.webhookLingerMillis;
        deliveredAfterMillis = b.deliveredAfterMillis;
        readAfterMillis = b.readAfterMillis;
        skippedDeliveredShare = b.skippedDeliveredShare;
        duplicateShare = b.duplicateShare;
        outOfOrderShare = b.outOfOrderShare;
        webhookMaxAttempts = b.webhookMaxAttempts;
        webhookRetryMillis = b.webhookRetryMillis;
        nanoClock = b.nanoClock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String accessToken() {
        return accessToken;
    }

    public String wabaId() {
        return wabaId;
    }

    /** Phone number id to display number, in the order they were added. */
    public Map<String, String> phoneNumbers() {
        return phoneNumbers;
    }

    public static final class Builder {
        static final String DEFAULT_PHONE_NUMBER_ID = "100000000000002";
        static final String DEFAULT_DISPLAY_NUMBER = "15550001234";

        private String bindAddress = "127.0.0.1";
        private int port = 8089;
        private int httpThreads = 4;
        private String accessToken = "sim-token";
        private String wabaId = "100000000000001";
        private final Map<String, String> phoneNumbers = new LinkedHashMap<>();
        private final List<SimTemplate> templates = new ArrayList<>();
        private int throughputPerSecond = 80;
        private long latencyMillis;
        private long jitterMillis;
        private double serverErrorShare;
        private double transientErrorShare;
        private double lostAnswerShare;
        private long seed = 42;
        private int pairRateMaxSends = 3;
        private long pairRateWindowMillis = 6_000;
        private final Map<String, Integer> asyncFailures = new LinkedHashMap<>(Map.of(
                "0026", 131026, "0049", 131049, "0050", 131050, "0472", 130472));
        private URI webhookUrl;
        private String appSecret;
        private int webhookBatchSize = 100;
        private long webhookLingerMillis = 20;
        private long deliveredAfterMillis = 100;
        private long readAfterMillis = 500;
        private double skippedDeliveredShare;
        private double duplicateShare;
        private double outOfOrderShare;
        private int webhookMaxAttempts = 8;
        private long webhookRetryMillis = 500;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        /** Address to listen on; 127.0.0.1 by default, 0.0.0.0 to be reachable from elsewhere. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        /** 8089 by default; 0 picks a free port, read it back with {@link CloudApiSimulator#port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder httpThreads(int httpThreads) {
            this.httpThreads = positive(httpThreads, "httpThreads");
            return this;
        }

        public Builder accessToken(String accessToken) {
            this.accessToken = accessToken;
            return this;
        }

        public Builder wabaId(String wabaId) {
            this.wabaId = wabaId;
            return this;
        }

        /** Adds a business phone number; without any, 100000000000002 (+1 555 000 1234) exists. */
        public Builder phoneNumber(String phoneNumberId, String displayPhoneNumber) {
            phoneNumbers.put(phoneNumberId, displayPhoneNumber);
            return this;
        }

        public Builder template(SimTemplate template) {
            templates.add(template);
            return this;
        }

        public Builder templates(List<SimTemplate> templates) {
            this.templates.addAll(templates);
            return this;
        }

        /** Messages per second per phone number before 130429; 80 by default (reference §3). */
        public Builder throughputPerSecond(int throughputPerSecond) {
            this.throughputPerSecond = positive(throughputPerSecond, "throughputPerSecond");
            return this;
        }

        /** Delay of every answer: {@code latencyMillis} plus a uniform extra up to {@code jitterMillis}. */
        public Builder latency(long latencyMillis, long jitterMillis) {
            this.latencyMillis = notNegative(latencyMillis, "latencyMillis");
            this.jitterMillis = notNegative(jitterMillis, "jitterMillis");
            return this;
        }

        /** Share of sends answered with a bare HTTP 502 that carries no Graph error. */
        public Builder serverErrorShare(double share) {
            this.serverErrorShare = share(share, "serverErrorShare");
            return this;
        }

        /** Share of sends answered with code 131000 (HTTP 500). */
        public Builder transientErrorShare(double share) {
            this.transientErrorShare = share(share, "transientErrorShare");
            return this;
        }

        /** Share of valid sends that are accepted but answered HTTP 504, as a lost answer would be. */
        public Builder lostAnswerShare(double share) {
            this.lostAnswerShare = share(share, "lostAnswerShare");
            return this;
        }

        /** Seeds the draws for injected failures and for webhook irregularities. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** More than {@code maxSends} accepted sends to one {@code to} within the window give 131056. */
        public Builder pairRate(int maxSends, long windowMillis) {
            this.pairRateMaxSends = positive(maxSends, "maxSends");
            this.pairRateWindowMillis = positive(windowMillis, "windowMillis");
            return this;
        }

        /**
         * A number whose digits end in {@code suffix} is accepted, then fails by webhook with
         * {@code code}. Defaults: 0026 → 131026, 0049 → 131049, 0050 → 131050, 0472 → 130472.
         */
        public Builder asyncFailure(String suffix, int code) {
            asyncFailures.put(suffix, code);
            return this;
        }

        public Builder noAsyncFailures() {
            asyncFailures.clear();
            return this;
        }

        /** Status webhooks go to {@code url}, signed with {@code appSecret}; without it none are sent. */
        public Builder webhook(URI url, String appSecret) {
            this.webhookUrl = url;
            this.appSecret = appSecret;
            return this;
        }

        /** At most {@code batchSize} statuses per POST, gathered for up to {@code lingerMillis}. */
        public Builder webhookBatching(int batchSize, long lingerMillis) {
            this.webhookBatchSize = positive(batchSize, "batchSize");
            this.webhookLingerMillis = notNegative(lingerMillis, "lingerMillis");
            return this;
        }

        /** When {@code delivered} and {@code read} become due after the send; {@code sent} is due at once. */
        public Builder statusDelays(long deliveredAfterMillis, long readAfterMillis) {
            this.deliveredAfterMillis = notNegative(deliveredAfterMillis, "deliveredAfterMillis");
            this.readAfterMillis = notNegative(readAfterMillis, "readAfterMillis");
            return this;
        }

        /**
         * Irregularities Meta allows itself: {@code skippedDelivered} of messages get no
         * {@code delivered}; {@code duplicate} of statuses come twice; {@code outOfOrder} of
         * messages have their statuses sent newest first.
         */
        public Builder webhookIrregularities(double skippedDelivered, double duplicate, double outOfOrder) {
            this.skippedDeliveredShare = share(skippedDelivered, "skippedDelivered");
            this.duplicateShare = share(duplicate, "duplicate");
            this.outOfOrderShare = share(outOfOrder, "outOfOrder");
            return this;
        }

        /** A POST not answered 200 is retried after {@code retryMillis}, doubling, up to {@code maxAttempts} in all. */
        public Builder webhookRetry(int maxAttempts, long retryMillis) {
            this.webhookMaxAttempts = positive(maxAttempts, "maxAttempts");
            this.webhookRetryMillis = positive(retryMillis, "retryMillis");
            return this;
        }

        /** The clock of the throughput and pair-rate windows; tests replace it to step time by hand. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return this;
        }

        public SimulatorConfig build() {
            if ((webhookUrl == null) != (appSecret == null || appSecret.isEmpty())) {
                throw new IllegalArgumentException("a webhook needs both a URL and an app secret");
            }
            return new SimulatorConfig(this);
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + value);
            }
            return value;
        }

        private static long positive(long value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + value);
            }
            return value;
        }

        private static long notNegative(long value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return value;
        }

        static double share(double value, String name) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(name + " must be between 0 and 1: " + value);
            }
            return value;
        }
    }
}
