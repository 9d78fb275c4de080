package dev.npukit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What build this is: the version (the jar manifest's, else the one the build recorded) and the git commit the
 * build comes from. The build records both in {@code git.properties} beside this class
 * (git-commit-id-maven-plugin, pom.xml); a build outside a git checkout records nothing, and what is not
 * known reads {@value #UNKNOWN}.
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
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : BUILD.getProperty("git.build.version", UNKNOWN);
    }

    /** The abbreviated id of the git commit the build comes from, or {@value #UNKNOWN}. */
    static String commit() {
        return BUILD.getProperty("git.commit.id.abbrev", UNKNOWN);
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("git.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("git.properties in the npukit jar cannot be read", e);
        }
        return p;
    }
}
