package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import herald.simulator.SimTemplate;
import herald.testing.HeraldServer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Herald nodes share one database and nothing else: each MediaUploads here stands for a node,
 * with a lock and an upload route of its own, so only the database can keep two of them from
 * uploading the same attachment.
 */
class MediaUploadsTest {

    private static final long UPLOAD_MILLIS = 700;
    private static final long LIMIT_SECONDS = 60;

    private final DispatchFixture fixture = new DispatchFixture();
    private final List<CamelContext> nodes = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    // Every upload attempt in order, as "node started" and "node ended".
    private final List<String> uploads = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        threads.shutdownNow();
        for (CamelContext node : nodes) {
            node.close();
        }
        fixture.close();
    }

    @Test
    void twoNodesUploadANewAttachmentOnce() throws Exception {
        Map<String, Object> send = send();
        assertUploadedOnceBetween(node("first"), node("second"), send);
    }

    @Test
    void twoNodesUploadAnAttachmentMetaMayHaveDroppedOnce() throws Exception {
        Map<String, Object> send = send();
        assertEquals("earlier-1", node("earlier").mediaIdFor(send));
        age(send, Duration.ofDays(29).plusMinutes(1));
        uploads.clear();
        assertUploadedOnceBetween(node("first"), node("second"), send);
    }

    @Test
    void uploadThatFailedOnOneNodeIsMadeByTheOtherOnceItFailed() throws Exception {
        Map<String, Object> send = send();
        CountDownLatch failingUploadStarted = new CountDownLatch(1);
        MediaUploads failing = failingNode("failing", failingUploadStarted);
        MediaUploads working = node("working");

        Future<String> failed = threads.submit(() -> failing.mediaIdFor(send));
        assertTrue(failingUploadStarted.await(LIMIT_SECONDS, TimeUnit.SECONDS));
        Future<String> made = threads.submit(() -> working.mediaIdFor(send));

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> failed.get(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(CamelExecutionException.class, failure.getCause(), "the upload's own failure");
        assertEquals("working-1", made.get(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of("failing started", "failing ended", "working started", "working ended"), uploads,
                "the working node waits for the failing one's upload instead of making its own alongside");
        assertEquals("working-1", storedMediaId(send));
    }

    @Test
    void failedUploadLeavesNoMediaIdBehind() throws Exception {
        Map<String, Object> send = send();
        MediaUploads failing = failingNode("failing", new CountDownLatch(1));
        assertThrows(CamelExecutionException.class, () -> failing.mediaIdFor(send));
        assertNull(storedMediaId(send));
        assertEquals("working-1", node("working").mediaIdFor(send));
        assertEquals("working-1", node("other").mediaIdFor(send), "the stored id, not a new upload");
        assertEquals(List.of("failing started", "failing ended", "working started", "working ended"), uploads);
    }

    private void assertUploadedOnceBetween(MediaUploads first, MediaUploads second, Map<String, Object> send)
            throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        Future<String> firstId = threads.submit(() -> {
            together.await();
            return first.mediaIdFor(send);
        });
        Future<String> secondId = threads.submit(() -> {
            together.await();
            return second.mediaIdFor(send);
        });
        String id = firstId.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(id, secondId.get(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, uploads.stream().filter(upload -> upload.endsWith(" started")).count(),
                "one upload between the nodes: " + uploads);
        assertEquals(id, storedMediaId(send));
    }

    /** A node whose upload takes a while and answers "name-n" for its n-th upload. */
    private MediaUploads node(String name) throws Exception {
        return node(name, null);
    }

    /** A node whose upload takes a while and fails; {@code started} is counted down as it starts. */
    private MediaUploads failingNode(String name, CountDownLatch started) throws Exception {
        return node(name, started);
    }

    private MediaUploads node(String name, CountDownLatch failing) throws Exception {
        CamelContext node = new DefaultCamelContext();
        nodes.add(node);
        node.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload-campaign-media").process(exchange -> {
                    uploads.add(name + " started");
                    long made = uploads.stream().filter(u -> u.equals(name + " started")).count();
                    try {
                        if (failing != null) {
                            failing.countDown();
                        }
                        Thread.sleep(UPLOAD_MILLIS);
                        if (failing != null) {
                            throw new IllegalStateException(name + " could not reach Meta");
                        }
                        exchange.getMessage().setBody(name + "-" + made);
                    } finally {
                        uploads.add(name + " ended");
                    }
                });
            }
        });
        node.start();
        return new MediaUploads(fixture.herald.dataSource(), node.createProducerTemplate());
    }

    /** What MediaUploads reads of a send: a new campaign and its account. */
    private Map<String, Object> send() {
        FakeMeta meta = fixture.use(FakeMeta.start(80, b -> b));
        long account = fixture.account(meta, 80);
        long template = fixture.template(account, new SimTemplate("6" + FakeMeta.newId(), HeraldServer.unique("media"),
                "en", "APPROVED", "UTILITY", "POSITIONAL", "NONE", null, "Hello {{1}}."));
        String campaign = fixture.commonCampaign(template, null, Map.of("1", "Ada"), DispatchFixture.numbers(1), null);
        Object campaignId = fixture.herald.queryOne("SELECT id FROM bulk_whatsapp_message WHERE name = ?", campaign)
                .get("id");
        return Map.of("campaign_id", campaignId, "account_id", account);
    }

    private String storedMediaId(Map<String, Object> send) {
        List<Map<String, Object>> rows = fixture.herald.query("SELECT media_id FROM media_upload WHERE campaign_id = ? "
                + "AND account_id = ?", send.get("campaign_id"), send.get("account_id"));
        return rows.isEmpty() ? null : (String) rows.get(0).get("media_id");
    }

    private void age(Map<String, Object> send, Duration age) throws SQLException {
        try (Connection c = fixture.herald.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE media_upload SET uploaded_at = ? WHERE campaign_id = ? "
                     + "AND account_id = ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now().minus(age)));
            ps.setLong(2, ((Number) send.get("campaign_id")).longValue());
            ps.setLong(3, ((Number) send.get("account_id")).longValue());
            assertEquals(1, ps.executeUpdate());
        }
    }
}
