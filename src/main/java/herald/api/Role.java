package herald.api;

/** What a user or API token may do: System Manager everything, Campaign Viewer only reads. */
public enum Role {
    SYSTEM_MANAGER,
    CAMPAIGN_VIEWER;

    public static Role parse(String value) {
        String normalised = value == null ? "" : value.trim().toUpperCase().replace(' ', '_');
        try {
            return Role.valueOf(normalised);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("role", "must be 'System Manager' or 'Campaign Viewer', not '" + value + "'");
        }
    }
}
