package db.migration;

import com.fasterxml.jackson.databind.ObjectMapper;
import herald.domain.TemplateSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the URL buttons a send must fill in to every stored template. Written in Java because the
 * buttons are read from the stored components by the same code that reads new templates, which
 * SQL on two databases cannot do alike. A template whose buttons cannot be read keeps none: it
 * sends as it did before, and its next sync or update names the problem.
 */
public class V12__url_buttons extends BaseJavaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(V12__url_buttons.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement alter = c.createStatement()) {
            alter.execute("ALTER TABLE whatsapp_template ADD COLUMN url_buttons VARCHAR NOT NULL DEFAULT '[]'");
        }
        try (Statement select = c.createStatement();
             ResultSet rs = select.executeQuery("SELECT id, name, language, parameter_format, components FROM whatsapp_template");
             PreparedStatement update = c.prepareStatement("UPDATE whatsapp_template SET url_buttons = ? WHERE id = ?")) {
            while (rs.next()) {
                List<Integer> urlButtons;
                try {
                    urlButtons = TemplateSpec.parse(rs.getString("components"), rs.getString("parameter_format")).urlButtons();
                } catch (IllegalArgumentException e) {
                    LOG.warn("Template {} ({}) keeps no URL button: {}", rs.getString("name"), rs.getString("language"),
                            e.getMessage());
                    continue;
                }
                if (!urlButtons.isEmpty()) {
                    update.setString(1, JSON.writeValueAsString(urlButtons));
                    update.setLong(2, rs.getLong("id"));
                    update.executeUpdate();
                }
            }
        }
    }
}
