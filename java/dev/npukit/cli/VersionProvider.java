package dev.npukit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What build this is: the version and the git commit the build comes from, which the build records in
 * {@code build.properties} beside this class (scripts/build-properties.sh, run by Maven). The commit of a build
 * outside a git checkout, and anything of classes built without Maven, reads {@value #UNKNOWN}.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    static final String UNKNOWN = "unknown";

    private static final Properties BUILD = load();

    @Override
    public String[] getVersion() {
        return new String[] {"npukit " + version() + " (commit " + commit() + ")"};
    }

    /** The npukit version, e.g. {@code 0.1.0-SNAPSHOT}, or {@value #UNKNOWN}. */
    static String version() {
        return BUILD.getProperty("version", UNKNOWN);
    }

    /** The abbreviated id of the git commit the build comes from, or {@value #UNKNOWN}. */
    static String commit() {
        return BUILD.getProperty("commit", UNKNOWN);
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("build.properties of npukit cannot be read", e);
        }
        return p;
    }
}
