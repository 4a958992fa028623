package dev.convene.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when it is not on the command line: first the
 * environment ({@code --media-port} → {@code CONVENE_MEDIA_PORT}), then the configuration file
 * ({@code media-port=50000} in {@code --config}), then the option's built-in default.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> environment;
    private final Properties file;

    ConfigDefaults(Map<String, String> environment, Properties file) {
        this.environment = environment;
        this.file = file;
    }

    /** Reads the file named by {@code --config} or {@code CONVENE_CONFIG}, if any. */
    static ConfigDefaults from(String[] args, Map<String, String> environment) throws IOException {
        String path = environment.get("CONVENE_CONFIG");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        Properties properties = new Properties();
        if (path != null) {
            try (Reader reader = Files.newBufferedReader(Path.of(path))) {
                properties.load(reader);
            }
        }
        return new ConfigDefaults(environment, properties);
    }

    static String environmentName(String longOption) {
        return "CONVENE_" + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        String fromEnv = environment.get(environmentName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        return file.getProperty(name.replaceFirst("^--", ""));
    }
}
