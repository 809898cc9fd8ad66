package herald.inbox;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * Finds what else lies in the inbox so that nothing stays there unanswered: a CSV that no
 * campaign file names, or a file of any other kind, once it has lain untouched for the pair
 * wait. Waiting that long also spares a file a browser or copy tool is still writing under a
 * temporary name.
 */
public class LeftoverFileFilter implements GenericFileFilter<File> {

    private final long pairWaitMs;

    public LeftoverFileFilter(long pairWaitMinutes) {
        this.pairWaitMs = pairWaitMinutes * 60_000;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory() || InboxFiles.hasExtension(file.getFileNameOnly(), ".json")) {
            return false;
        }
        File f = file.getFile();
        if (System.currentTimeMillis() - f.lastModified() < pairWaitMs) {
            return false;
        }
        return !InboxFiles.hasExtension(f.getName(), ".csv") || !namedByACampaignFile(f.toPath());
    }

    private static boolean namedByACampaignFile(Path csv) {
        try (Stream<Path> files = Files.list(csv.getParent())) {
            return files.filter(p -> InboxFiles.hasExtension(p.getFileName().toString(), ".json") && Files.isRegularFile(p))
                    .anyMatch(json -> csv.getFileName().toString().equals(InboxFiles.namedRecipientsFile(json)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
