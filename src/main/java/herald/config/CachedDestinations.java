package herald.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.springframework.jms.support.destination.DestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;

/**
 * Resolves a queue name once. Artemis asks the broker whether a queue exists every time a session
 * resolves one by name, which made each enqueue several times slower than the send itself; its
 * destination objects belong to no session, so one can serve every send.
 */
final class CachedDestinations implements DestinationResolver {

    private final DynamicDestinationResolver resolver = new DynamicDestinationResolver();
    private final Map<String, Destination> resolved = new ConcurrentHashMap<>();

    @Override
    public Destination resolveDestinationName(Session session, String name, boolean pubSub) throws JMSException {
        String key = (pubSub ? "topic:" : "queue:") + name;
        Destination known = resolved.get(key);
        if (known == null) {
            known = resolver.resolveDestinationName(session, name, pubSub);
            resolved.put(key, known);
        }
        return known;
    }
}
