package herald.campaign;

import java.util.EnumSet;
import java.util.Set;

import herald.api.ApiException;

/**
 * The one state machine of a Bulk WhatsApp Message (docs/campaign-lifecycle.md draws it).
 * Stored by its label, the seed's own words.
 */
public enum CampaignStatus {
    DRAFT("Draft"),
    QUEUED("Queued"),
    IN_PROGRESS("In Progress"),
    PAUSED("Paused"),
    COMPLETED("Completed"),
    PARTIALLY_FAILED("Partially Failed"),
    CANCELLED("Cancelled");

    private final String label;

    CampaignStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static CampaignStatus of(String label) {
        for (CampaignStatus s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown campaign status '" + label + "'");
    }

    /** Where each status may go next. */
    public Set<CampaignStatus> next() {
        return switch (this) {
            case DRAFT -> EnumSet.of(QUEUED);
            case QUEUED -> EnumSet.of(IN_PROGRESS, PAUSED, CANCELLED, COMPLETED, PARTIALLY_FAILED);
            case IN_PROGRESS -> EnumSet.of(COMPLETED, PARTIALLY_FAILED, PAUSED, CANCELLED);
            case PAUSED -> EnumSet.of(QUEUED, IN_PROGRESS, CANCELLED);
            // Meta may fail a message by webhook after the campaign completed (131026, 131049, ...).
            case COMPLETED -> EnumSet.of(IN_PROGRESS, PARTIALLY_FAILED);
            case PARTIALLY_FAILED -> EnumSet.of(IN_PROGRESS);
            case CANCELLED -> EnumSet.noneOf(CampaignStatus.class);
        };
    }

    /** Only a Draft can be changed or deleted; submitted and cancelled campaigns are locked. */
    public boolean editable() {
        return this == DRAFT;
    }

    /** Throws 409 naming the campaign, its status and what the action needs. */
    public static void require(String campaign, String currentLabel, String action, CampaignStatus... allowed) {
        CampaignStatus current = of(currentLabel);
        for (CampaignStatus s : allowed) {
            if (s == current) {
                return;
            }
        }
        StringBuilder needed = new StringBuilder();
        for (int i = 0; i < allowed.length; i++) {
            needed.append(i == 0 ? "" : i == allowed.length - 1 ? " or " : ", ").append(allowed[i].label);
        }
        throw ApiException.conflict(campaign + " is " + current.label + ": only a campaign that is " + needed
                + " can be " + action);
    }
}
