package herald.api;

import java.util.Set;

/** An /api path called with a method it does not have; the answer's Allow header names those it has. */
public class MethodNotAllowedException extends ApiException {

    private final String allow;

    public MethodNotAllowedException(String method, String path, Set<String> allowed) {
        super(405, "method_not_allowed", path + " does not take " + method + "; it takes " + String.join(", ", allowed),
                null, null);
        this.allow = String.join(", ", allowed);
    }

    /** The value of the Allow header: the path's methods, comma separated. */
    public String allow() {
        return allow;
    }
}
