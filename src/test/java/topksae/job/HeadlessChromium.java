package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a page in a real headless Chromium (Debian package chromium: /usr/bin/chromium, or
 * the binary named by the CHROMIUM environment variable): the DOM after rendering, a screenshot.
 * No network: the page is a local file and every Chromium background service is off.
 */
final class HeadlessChromium {
    /** Generous: a loaded CI machine renders slowly; a normal render takes a few seconds. */
    private static final int TIMEOUT_SECONDS = 300;

    private HeadlessChromium() {}

    static String binary() {
        String env = System.getenv("CHROMIUM");
        String bin = env != null && !env.isEmpty() ? env : "/usr/bin/chromium";
        assertTrue(
                new File(bin).canExecute(),
                "headless Chromium is needed to check the report: install it "
                        + "(apt-get install -y chromium) or set CHROMIUM to its binary; not found at " + bin);
        return bin;
    }

    /** The DOM after rendering, as Chromium serializes it. */
    static String dumpDom(Path page, Path work) throws Exception {
        return run(page, work, List.of("--dump-dom"));
    }

    /** A screenshot of the top width x height pixels of the page, as a PNG file. */
    static Path screenshot(Path page, Path work, int width, int height) throws Exception {
        Path png = work.resolve("screenshot.png");
        run(page, work, List.of("--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars"));
        assertTrue(Files.isRegularFile(png), "Chromium wrote no screenshot");
        return png;
    }

    private static String run(Path page, Path work, List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                binary(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--user-data-dir=" + work.resolve("chromium-profile")));
        cmd.addAll(extra);
        cmd.add(page.toUri().toString());
        Path out = work.resolve("chromium.out");
        Path err = work.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("Chromium did not finish in " + TIMEOUT_SECONDS + " s: " + cmd + "; its stderr: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        assertEquals(0, p.exitValue(), "Chromium failed: " + Files.readString(err, StandardCharsets.UTF_8));
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
