package herald.inbox;

import java.io.File;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a campaign file through only once the recipients CSV it names is there and complete
 * (untouched for the stable time, the rule camel-file's changed read lock applies to the
 * campaign file itself). A campaign file whose CSV has not come within the pair wait is let
 * through too, so the route answers it in failed/ instead of leaving it waiting for ever.
 */
public class CampaignFileFilter implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignFileFilter.class);

    private final long stableMs;
    private final long pairWaitMs;
    // Each wait is logged once, not at every poll.
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();

    public CampaignFileFilter(long stableMs, long pairWaitMinutes) {
        this.stableMs = stableMs;
        this.pairWaitMs = pairWaitMinutes * 60_000;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory() || !InboxFiles.hasExtension(file.getFileNameOnly(), ".json")) {
            return false;
        }
        File json = file.getFile();
        // A campaign file that cannot be read yet is let through: the read lock waits until it is
        // complete, and the route then reads it again and answers any problem it still has.
        String csvName = InboxFiles.namedRecipientsFile(json.toPath());
        if (csvName == null) {
            return true;
        }
        File csv = Path.of(json.getParent()).resolve(csvName).toFile();
        long now = System.currentTimeMillis();
        String key = json.getName() + " -> " + csvName;
        if (csv.isFile() && now - csv.lastModified() >= stableMs) {
            waiting.remove(key);
            return true;
        }
        if (now - json.lastModified() >= pairWaitMs) {
            waiting.remove(key);
            return true;
        }
        if (waiting.add(key)) {
            LOG.info("Inbox: {} waits for its recipientsFile {} to {}", json.getName(), csvName,
                    csv.isFile() ? "be complete" : "arrive");
        }
        return false;
    }
}
