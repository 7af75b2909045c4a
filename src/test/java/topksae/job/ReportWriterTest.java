package topksae.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  @TempDir
  java.nio.file.Path tmp;

  @Test
  void firingHistogramBinsHalfDecades() {
    // 1000 rows: edges -3.0 .. 0.0 in steps of 0.5
    FiringStats f = new FiringStats(1000, new long[] {0, 0, 1, 2, 5, 40, 500, 1000});
    double[] e = f.edges();
    assertEquals(7, e.length);
    assertEquals(-3.0, e[0]);
    assertEquals(0.0, e[6]);
    assertEquals(2, f.dead());
    // log10 freq: -3, -2.7, -2.3, -1.4, -0.3, 0
    assertArrayEquals(new long[] {2, 1, 0, 1, 0, 2}, f.histogram());
  }

  @Test
  void writesChartsAndHtml() throws Exception {
    List<RoundStats> rounds = new ArrayList<>();
    for (int r = 1; r <= 20; r++) {
      rounds.add(new RoundStats(r, r * 4096L, 1.0 / r, 0.9 / Math.sqrt(r), 8, 0.01, 0.2, 4096, 5e4, 0.08));
    }
    long[] counts = new long[64];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = i < 5 ? 0 : (long) Math.pow(1.2, i % 40);
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("input", "hdfs://nn/acts <b>");
    Path dir = new Path(tmp.toUri().toString(), "report");
    Path html = ReportWriter.write(dir, facts, rounds, new FiringStats(4096, counts),
        new Configuration());

    for (String png : List.of(ReportWriter.FVU_PNG, ReportWriter.LOSS_PNG, ReportWriter.FIRING_PNG)) {
      BufferedImage img = ImageIO.read(tmp.resolve("report").resolve(png).toFile());
      assertEquals(Charts.WIDTH, img.getWidth(), png);
      assertTrue(colours(img) > 3, png + " has something drawn on it");
    }
    String text = Files.readString(java.nio.file.Path.of(html.toUri()), StandardCharsets.UTF_8);
    assertTrue(text.contains("hdfs://nn/acts &lt;b&gt;"), "facts are escaped");
    assertTrue(text.contains("<td>20</td><td>81920</td>"), "last round row");
    assertEquals(3, text.split("data:image/png;base64,").length - 1, "three inlined images");
    assertTrue(text.contains("never fired on the sample: 5 of 64"));
  }

  @Test
  void pngRoundTrips() throws Exception {
    byte[] png = Charts.png(Charts.line("t", "x", "y", new double[] {1, 2}, new double[] {3, 1}, true));
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(Charts.HEIGHT, img.getHeight());
  }

  private static int colours(BufferedImage img) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        seen.add(img.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
