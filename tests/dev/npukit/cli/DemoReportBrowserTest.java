package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo report as a colleague's browser shows it: a small real demo run writes the report, and a headless
 * Chromium renders it; the test reads the rendered text, a screenshot, and the page's width at a desktop window
 * and at the narrowest window headless Chromium opens. Chromium must be installed (scripts/install-chromium.sh,
 * which the build runs before the tests): without it the test fails.
 */
class DemoReportBrowserTest {
    /** Longest a Chromium run may take before it counts as hung and is killed. */
    private static final long CHROMIUM_TIMEOUT_SECONDS = 60;
    private static final String[] POLICIES = {"NONE", "PREFIX", "EPIC", "CACHEBLEND", "MEPIC"};
    /** Reads the page's width once everything, the chart included, is laid out. */
    private static final String MEASURE = "<script>addEventListener('load', () => document.documentElement"
            + ".setAttribute('data-scroll-width', document.documentElement.scrollWidth))</script>";

    @TempDir
    static Path dir;
    static CliRun demo;
    static Path measured;

    /** 10 requests with batches of up to 8: two batches, so the pool empties once between steps. */
    @BeforeAll
    static void runDemo() throws IOException {
        Path out = dir.resolve("demo");
        demo = CliRun.of("demo", "--requests", "10", "--documents", "4", "--doc-tokens", "40", "--chunks", "2",
                "--new-tokens", "3", "--out", out.toString());
        assertEquals(0, demo.code(), demo.err());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("</body>"), html);
        // The report as written, plus a script that records the page's width in the DOM for --dump-dom.
        measured = dir.resolve("measured.html");
        Files.writeString(measured, html.replace("</body>", MEASURE + "</body>"));
    }

    @Test
    void desktopWindowShowsEveryFactAndFitsTheWindow() throws Exception {
        Path png = dir.resolve("report.png");
        String dom = chromium("desktop", "--window-size=1200,1600", "--screenshot=" + png, "--dump-dom",
                measured.toUri().toString());
        assertTrue(scrollWidth(dom) <= 1200, "the page is " + scrollWidth(dom) + " px wide in a 1200 px window");
        String text = renderedText(dom);

        for (String p : POLICIES) {
            assertTrue(text.contains(p), p + " in: " + text);
        }
        assertTrue(text.contains("npukit version " + VersionProvider.version()), text);
        String commit = VersionProvider.commit();
        assertTrue(text.contains("commit " + commit), text);
        // CI and developers build from a git checkout (a clone or a linked worktree): there the build records the
        // commit. The tests run in the project's folder.
        if (Files.exists(Path.of(".git")) && onPath("git") != null) {
            Process git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
            String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, git.waitFor(), head);
            assertEquals(head, commit, "the commit the build recorded is the checkout's HEAD");
        } else {
            assertEquals(VersionProvider.UNKNOWN, commit);
        }
        Matcher backend = Pattern.compile("backend (\\w+):").matcher(demo.out());
        assertTrue(backend.find(), demo.out());
        assertTrue(text.contains("backend " + backend.group(1) + " ("), text);
        assertTrue(Pattern.compile("date \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC").matcher(text).find(), text);
        assertTrue(text.contains("machine " + Machine.describe() + "; " + Machine.platform()), text);
        assertTrue(text.contains(DemoChart.capacityLabel(DemoRunner.POOL_BLOCKS)), text);
        // Column names, and the prose that explains them in the same words.
        for (String column : List.of("peak blocks", "mean blocks", "tokens computed", "mean KL vs full",
                "greedy tokens", "CoLD tokens", "rel. error vs reference")) {
            assertTrue(text.contains(column), column + " in: " + text);
        }
        assertTrue(text.contains("mean KL vs full is the mean KL divergence"), text);
        assertTrue(text.contains("Between two steps the pool was empty 1 time under every policy"), text);

        BufferedImage shot = ImageIO.read(png.toFile());
        assertNotNull(shot, "the screenshot is not a PNG ImageIO reads");
        assertEquals(1200, shot.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < shot.getHeight(); y += 2) {
            for (int x = 0; x < shot.getWidth(); x += 2) {
                colours.add(shot.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > 200, "a screenshot of text and a chart has many colours, this one " + colours.size());
    }

    /** Long token lists and wide tables wrap or scroll in their box: the page never grows sideways. */
    @Test
    void narrowWindowDoesNotScrollSideways() throws Exception {
        // 500 px: headless Chromium's narrowest window.
        String dom = chromium("narrow", "--window-size=500,1600", "--dump-dom", measured.toUri().toString());
        assertTrue(scrollWidth(dom) <= 500, "the page is " + scrollWidth(dom) + " px wide in a 500 px window");
        assertTrue(renderedText(dom).contains("CoLD tokens"));
    }

    private static int scrollWidth(String dom) {
        Matcher m = Pattern.compile("data-scroll-width=\"(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the page's load handler did not record its width: " + dom.substring(0, Math.min(500, dom.length())));
        return Integer.parseInt(m.group(1));
    }

    /** The DOM's visible text: no style, script or tags, entities of the report decoded, spaces collapsed. */
    private static String renderedText(String dom) {
        String body = dom.replaceAll("(?s)<style>.*?</style>|<script>.*?</script>", " ").replaceAll("<[^>]+>", " ");
        return body.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&").replaceAll("\\s+", " ");
    }

    /**
     * Runs headless Chromium with its own profile folder and returns its stdout; kills it and its children when it
     * runs longer than {@link #CHROMIUM_TIMEOUT_SECONDS}.
     */
    private static String chromium(String name, String... args) throws IOException, InterruptedException {
        String exe = onPath("chromium");
        assertNotNull(exe, "chromium is not on the PATH; scripts/install-chromium.sh installs it (the Maven build"
                + " runs it before the tests)");
        List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.resolve("chromium-profile-" + name)));
        cmd.addAll(List.of(args));
        File out = dir.resolve("chromium-" + name + ".out").toFile();
        File err = dir.resolve("chromium-" + name + ".err").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
        // Under scripts/sanitize.sh the test JVM runs with the sanitizer runtime preloaded; Chromium is not built for
        // it and spins instead of rendering, so its environment leaves the preload and its options out.
        pb.environment().keySet().removeAll(List.of("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"));
        Process p = pb.start();
        if (!p.waitFor(CHROMIUM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("chromium ran longer than " + CHROMIUM_TIMEOUT_SECONDS + " s and was killed: " + cmd + "\n"
                    + Files.readString(err.toPath(), StandardCharsets.UTF_8));
        }
        assertEquals(0, p.exitValue(), () -> cmd + "\n" + readQuietly(err));
        return Files.readString(out.toPath(), StandardCharsets.UTF_8);
    }

    private static String readQuietly(File f) {
        try {
            return Files.readString(f.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    private static String onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
