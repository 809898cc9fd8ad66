package herald;

import herald.config.HeraldConfiguration;
import org.apache.camel.main.Main;

/** Starts Herald: Camel Main with the routes in routes/ and the settings in config/. */
public final class HeraldMain {

    private HeraldMain() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** The configured Main, not yet started; tests start it with their own override properties. */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(HeraldConfiguration.class);
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        return main;
    }
}
