package topksae.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void writesSelfContainedHtmlAndSvgCharts() throws Exception {
        Path dir = new Path(tmp.toUri().toString(), "report");
        Path html = ReportWriter.write(dir, ReportFixture.data(), new Configuration());
        for (String chart : List.of("fvu", "loss", "l0", "dead", "throughput", "firing")) {
            String svg = Files.readString(tmp.resolve("report").resolve(chart + ".svg"));
            assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), chart);
            assertTrue(svg.contains("<polyline") || svg.contains("<rect class=\"bar\""), chart + " draws data");
        }
        String text = Files.readString(java.nio.file.Path.of(html.toUri()), StandardCharsets.UTF_8);
        for (String id : ReportWriter.SECTIONS) {
            assertTrue(text.contains("<section id=\"" + id + "\">"), id);
        }
        assertEquals(6, count(text, "<svg "), "six inline charts");
        assertTrue(text.contains("hdfs://nn/acts &lt;b&gt;"), "facts are escaped");
        assertTrue(text.contains("day &amp; night &lt;ok&gt;"), "row text is escaped");
        assertTrue(text.contains("<td>20</td><td>81920</td>"), "last round row");
        assertTrue(text.contains("FVU, held-out rows") && text.contains("0.3100"), "held-out FVU card");
        assertTrue(text.contains("held-out rows (final model)"), "held-out line on the FVU chart");
        assertEquals(6, count(text, "class=\"concept\""), "one card per concept");
        assertEquals(30, count(text, "<mark>"), "five rows per card, token marked");
        assertTrue(text.indexOf("Most frequent concepts") < text.indexOf("Least frequent concepts"));
        assertTrue(
                text.contains("<div class=\"value\">5</div><div class=\"note\">of 64 concepts"), "never-fired count");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(text).find(), "no network fetches");
        assertFalse(text.contains("<script"), "no scripts");
    }

    @Test
    void heldOutIsLeftOutWithoutAnEvaluationSplit() {
        ReportData d = ReportFixture.data();
        ReportData none = new ReportData(d.facts(), d.settings(), d.rounds(), d.firing(), null, List.of());
        String text = ReportWriter.html(none, ReportWriter.charts(none));
        assertFalse(text.contains("held-out"), "no held-out card or line");
        assertTrue(text.contains("No concepts shown"));
    }

    @Test
    void chartScalesCoverTheData() {
        String svg = SvgCharts.line(
                "t", "x", "y", List.of(SvgCharts.Series.of("a", new double[] {0, 10}, new double[] {0.2, 0.9})), false);
        Matcher m = Pattern.compile("points=\"([^\"]+)\"").matcher(svg);
        assertTrue(m.find());
        for (String pt : m.group(1).split(" ")) {
            double x = Double.parseDouble(pt.split(",")[0]);
            double y = Double.parseDouble(pt.split(",")[1]);
            assertTrue(x >= 0 && x <= SvgCharts.WIDTH && y >= 0 && y <= SvgCharts.HEIGHT, pt);
        }
        assertTrue(svg.contains(">0.9<") || svg.contains(">1<"), "a tick at or above the largest value");
        assertEquals("50k", SvgCharts.fmt(50_000));
        assertEquals("1e-03", SvgCharts.fmt(0.001));
    }

    @Test
    void logTicksStayInsideTheAxis() {
        SvgCharts.Range r = SvgCharts.Range.logOf(List.of(new double[] {Math.log10(0.0138), Math.log10(0.075)}));
        double[] t = SvgCharts.logTicks(r);
        assertTrue(t.length >= 3, "enough ticks: " + t.length);
        for (double v : t) {
            assertTrue(v >= r.lo() - 1e-9 && v <= r.hi() + 1e-9, "tick " + v + " inside " + r);
            double m = Math.pow(10, v - Math.floor(v + 1e-9));
            assertEquals(Math.round(m), m, 1e-6, "ticks at whole multiples of a power of ten");
        }
        SvgCharts.Range narrow = SvgCharts.Range.logOf(List.of(new double[] {Math.log10(0.13), Math.log10(0.29)}));
        double[] nt = SvgCharts.logTicks(narrow);
        assertTrue(nt.length >= 3, "a narrow log range still gets ticks: " + nt.length);
        for (double v : nt) {
            assertTrue(v >= narrow.lo() - 1e-9 && v <= narrow.hi() + 1e-9, "tick " + v + " inside " + narrow);
        }
        for (double v : SvgCharts.ticks(new SvgCharts.Range(0, 0.3))) {
            assertTrue(v >= 0 && v <= 0.3 + 1e-12, "linear tick " + v);
        }
    }

    @Test
    void wordPiecesJoinTheirWord() {
        assertEquals("playing the game", ReportContext.join(List.of("play", "##ing", "the", "game")));
    }

    static int count(String s, String what) {
        return s.split(Pattern.quote(what), -1).length - 1;
    }
}
