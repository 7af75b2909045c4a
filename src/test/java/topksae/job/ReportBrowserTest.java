package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report as a person sees it: rendered by a real headless Chromium. */
class ReportBrowserTest {
    @TempDir
    Path tmp;

    @Test
    void chromiumRendersEverySection() throws Exception {
        Path page = write();
        String dom = HeadlessChromium.dumpDom(page, tmp);
        for (String id : ReportWriter.SECTIONS) {
            assertTrue(dom.contains("<section id=\"" + id + "\">"), "section " + id + " in the rendered DOM");
        }
        assertEquals(6, ReportWriterTest.count(dom, "<svg "), "six charts in the rendered DOM");
        assertEquals(6, ReportWriterTest.count(dom, "class=\"concept\""), "six concept cards");
        assertTrue(dom.contains("<mark>fine0</mark>"), "the strongest token, marked in its context");
    }

    @Test
    void screenshotShowsChartsAndMarkedTokens() throws Exception {
        Path png = HeadlessChromium.screenshot(write(), tmp, 1280, 4200);
        assertTrue(Files.size(png) > 50_000, "a screenshot with content, not a blank page: " + Files.size(png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertTrue(pixels(img, 0x1f77b4) > 20_000, "chart lines and bars drawn (series blue)");
        assertTrue(pixels(img, 0xd62728) > 300, "a second series drawn (red)");
        assertTrue(pixels(img, 0xffe08a) > 2_000, "marked tokens in the concept cards (yellow)");
    }

    private Path write() {
        Path dir = tmp.resolve("report");
        ReportWriter.write(
                new org.apache.hadoop.fs.Path(dir.toUri().toString()), ReportFixture.data(), new Configuration());
        return dir.resolve(ReportWriter.HTML);
    }

    /** Pixels within a small distance of an RGB colour. */
    private static int pixels(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int d = Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255))
                        + Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255))
                        + Math.abs((p & 255) - (rgb & 255));
                n += d <= 24 ? 1 : 0;
            }
        }
        return n;
    }
}
