package dev.npukit.cli;

import picocli.CommandLine;

/** Reads the version from the jar manifest (or says it runs from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"npukit " + (v == null ? "(development build)" : v)};
    }
}
