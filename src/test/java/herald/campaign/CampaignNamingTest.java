package herald.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.recipient;
import static herald.campaign.CampaignFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Campaigns are named BULK-WA-{year}-{#####} from one counter, however many are created at once. */
class CampaignNamingTest {

    private static final Pattern SERIES_NAME = Pattern.compile("BULK-WA-(\\d{4})-(\\d{5})");
    private static final int PARALLEL = 40;

    private final CampaignFixture fixture = new CampaignFixture();
    private final ApiClient api = fixture.api;

    @Test
    void parallelCreationsGetUniqueNamesFromOneSeries() throws Exception {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("naming_notice"));
        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values("A", "B"),
                List.of(recipient("+4915160000001", "Anna", null)));

        Matcher before = series(fixture.create(request));
        String year = before.group(1);
        long first = Long.parseLong(before.group(2));

        // All threads are released at once, so the creations overlap instead of queueing behind each other.
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(PARALLEL);
        List<Future<ApiClient.Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < PARALLEL; i++) {
                answers.add(threads.submit(() -> {
                    start.await();
                    return api.post("/api/campaigns", request);
                }));
            }
            start.countDown();
            TreeSet<Long> numbers = new TreeSet<>();
            for (Future<ApiClient.Response> answer : answers) {
                String name = answer.get().json(201).path("name").asText();
                Matcher m = series(name);
                assertEquals(year, m.group(1), name);
                numbers.add(Long.parseLong(m.group(2)));
            }
            assertEquals(PARALLEL, numbers.size(), "no two creations got the same number: " + numbers);
            assertTrue(numbers.first() > first, "numbers only grow: " + first + " then " + numbers);

            long after = Long.parseLong(series(fixture.create(request)).group(2));
            assertTrue(after >= first + PARALLEL + 1, "each creation used up a number: " + first + ", " + numbers + ", " + after);
            assertTrue(numbers.last() < after, numbers + " then " + after);
        } finally {
            threads.shutdownNow();
        }
    }

    private static Matcher series(String name) {
        Matcher m = SERIES_NAME.matcher(name);
        assertTrue(m.matches(), name + " is not BULK-WA-{year}-{#####}");
        return m;
    }
}
