package topksae.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import topksae.job.ReportData.HeldOut;
import topksae.job.ReportData.SettingRow;
import topksae.job.SvgCharts.Series;

/**
 * The run report: one self-contained report.html (inline SVG charts and CSS, no scripts, no
 * network) with the headline numbers, the curves over rounds (FVU, loss, L0, dead concepts,
 * tokens/s over time), the firing-frequency histogram, the most and least frequent concepts
 * with their strongest rows and nearest concepts, the settings the model was trained with, the
 * per-round table and the run's facts. Each chart is also written as an .svg file beside it.
 */
public final class ReportWriter {
    public static final String HTML = "report.html";
    /** The section ids of report.html, in page order. */
    public static final List<String> SECTIONS =
            List.of("summary", "curves", "firing", "concepts", "settings", "rounds", "run");

    private ReportWriter() {}

    /** Writes the report into {@code dir}; returns the path of report.html. */
    public static Path write(Path dir, ReportData data, Configuration conf) {
        Map<String, String> charts = charts(data);
        charts.forEach((name, svg) ->
                HadoopFiles.writeAtomically(new Path(dir, name + ".svg"), svg.getBytes(StandardCharsets.UTF_8), conf));
        Path html = new Path(dir, HTML);
        HadoopFiles.writeAtomically(html, html(data, charts).getBytes(StandardCharsets.UTF_8), conf);
        return html;
    }

    /** The charts by file name (without .svg), in page order. */
    static Map<String, String> charts(ReportData d) {
        List<RoundStats> rounds = d.rounds();
        double[] tokens = rounds.stream().mapToDouble(RoundStats::tokens).toArray();
        Map<String, String> out = new LinkedHashMap<>();
        List<Series> fvu = new ArrayList<>(
                List.of(Series.of("training rows (each round)", tokens, values(rounds, RoundStats::fvu))));
        if (d.heldOut() != null && d.heldOut().metrics().get("fvu") != null && tokens.length > 0) {
            double v = d.heldOut().metrics().get("fvu");
            fvu.add(new Series(
                    "held-out rows (final model)",
                    new double[] {tokens[0], tokens[tokens.length - 1]},
                    new double[] {v, v},
                    true));
        }
        out.put("fvu", SvgCharts.line("Fraction of variance unexplained", "tokens", "FVU", fvu, false));
        out.put(
                "loss",
                SvgCharts.line(
                        "Training loss (log scale)",
                        "tokens",
                        "loss",
                        List.of(Series.of("loss", tokens, values(rounds, RoundStats::loss))),
                        true));
        out.put(
                "l0",
                SvgCharts.line(
                        "L0: active concepts per row",
                        "tokens",
                        "L0",
                        List.of(Series.of("L0", tokens, values(rounds, RoundStats::l0))),
                        false,
                        true));
        out.put(
                "dead",
                SvgCharts.line(
                        "Dead concepts",
                        "tokens",
                        "share of concepts",
                        List.of(
                                Series.of(
                                        "no fire in the last window", tokens, values(rounds, RoundStats::deadFraction)),
                                Series.of(
                                        "never fired since the start",
                                        tokens,
                                        values(rounds, RoundStats::neverFiredFraction))),
                        false,
                        true));
        out.put(
                "throughput",
                SvgCharts.line(
                        "Throughput over time",
                        "seconds in training rounds",
                        "tokens/s",
                        throughput(rounds),
                        false,
                        true));
        FiringStats f = d.firing();
        out.put(
                "firing",
                SvgCharts.histogram(
                        String.format(
                                Locale.ROOT,
                                "Concept firing frequency over %d rows (%d never fired)",
                                f.rows(),
                                f.dead()),
                        "log10(firing frequency)",
                        "concepts",
                        f.edges(),
                        f.histogram(),
                        "%.1f"));
        return out;
    }

    /** Per round tokens/s, and the running mean (tokens so far / round seconds so far), against elapsed round time. */
    private static List<Series> throughput(List<RoundStats> rounds) {
        int n = rounds.size();
        double[] t = new double[n];
        double[] rate = new double[n];
        double[] mean = new double[n];
        double elapsed = 0;
        double done = 0;
        for (int i = 0; i < n; i++) {
            RoundStats r = rounds.get(i);
            elapsed += r.seconds();
            done += r.tokensPerSecond() * r.seconds();
            t[i] = elapsed;
            rate[i] = r.tokensPerSecond();
            mean[i] = elapsed > 0 ? done / elapsed : 0;
        }
        return List.of(Series.of("each round", t, rate), new Series("running mean", t, mean, true));
    }

    private static double[] values(List<RoundStats> rounds, java.util.function.ToDoubleFunction<RoundStats> f) {
        return rounds.stream().mapToDouble(f).toArray();
    }

    static String html(ReportData d, Map<String, String> charts) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>TopK SAE training report</title>\n<style>")
                .append(ReportStyle.CSS)
                .append("</style>\n")
                .append("</head><body>\n<header><h1>TopK SAE training report</h1>\n<p class=\"sub\">")
                .append(Html.esc(subtitle(d.facts())))
                .append("</p>\n<nav>");
        for (String s : SECTIONS) {
            b.append("<a href=\"#").append(s).append("\">").append(s).append("</a> ");
        }
        b.append("</nav></header>\n");
        summary(b, d);
        curves(b, charts, d.heldOut() != null);
        firing(b, d, charts.get("firing"));
        ReportConcepts.section(b, d);
        settings(b, d.settings());
        rounds(b, d.rounds());
        facts(b, d.facts());
        return b.append("</body></html>\n").toString();
    }

    private static String subtitle(Map<String, String> f) {
        return String.format(
                "%s concepts of width %s, k = %s · input %s · %s · finished %s",
                f.getOrDefault("nbConcepts", "?"),
                f.getOrDefault("inputDim", "?"),
                f.getOrDefault("topK", "?"),
                f.getOrDefault("input", "?"),
                f.getOrDefault("sparkMaster", "?"),
                f.getOrDefault("finishedAt", "?"));
    }

    private static void summary(StringBuilder b, ReportData d) {
        b.append("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n");
        List<RoundStats> rs = d.rounds();
        RoundStats last = rs.isEmpty() ? null : rs.get(rs.size() - 1);
        if (last != null) {
            card(b, "FVU, training rows", fmt4(last.fvu()), "last round, before its update");
        }
        HeldOut h = d.heldOut();
        if (h != null) {
            card(
                    b,
                    "FVU, held-out rows",
                    fmt4(h.metrics().getOrDefault("fvu", Double.NaN)),
                    String.format(Locale.ROOT, "final model on %,d rows (%s)", h.rows(), h.rowsFrom()));
        }
        if (last != null) {
            card(b, "L0", String.format(Locale.ROOT, "%.1f", last.l0()), "active concepts per row, last round");
            card(
                    b,
                    "dead concepts",
                    pct(last.deadFraction()),
                    String.format(Locale.ROOT, "no fire in the last %,d training tokens", last.deadWindow()));
        }
        FiringStats f = d.firing();
        card(
                b,
                "never fired",
                String.format(Locale.ROOT, "%,d", f.dead()),
                String.format(
                        Locale.ROOT,
                        "of %,d concepts, on %,d sampled rows after training",
                        f.counts().length,
                        f.rows()));
        if (last != null) {
            double secs = rs.stream().mapToDouble(RoundStats::seconds).sum();
            double runTokens = rs.stream()
                    .mapToDouble(r -> r.tokensPerSecond() * r.seconds())
                    .sum();
            card(
                    b,
                    "tokens trained",
                    String.format(Locale.ROOT, "%,d", last.tokens()),
                    String.format(Locale.ROOT, "%d rounds", rs.size()));
            card(
                    b,
                    "tokens/s",
                    String.format(Locale.ROOT, "%,.0f", secs > 0 ? runTokens / secs : 0),
                    String.format(Locale.ROOT, "over %.1f s of training rounds (reading and caching excluded)", secs));
        }
        b.append("</div></section>\n");
    }

    private static void card(StringBuilder b, String label, String value, String note) {
        b.append("<div class=\"card\"><div class=\"label\">")
                .append(Html.esc(label))
                .append("</div><div class=\"value\">")
                .append(Html.esc(value))
                .append("</div><div class=\"note\">")
                .append(Html.esc(note))
                .append("</div></div>\n");
    }

    private static void curves(StringBuilder b, Map<String, String> charts, boolean heldOut) {
        b.append("<section id=\"curves\"><h2>Curves over rounds</h2>\n<p class=\"explain\">Training-row metrics are "
                        + "measured on each round's own rows during its local steps, all workers merged.")
                .append(heldOut ? " The dashed FVU line is the final model on the held-out rows." : "")
                .append(" Throughput counts the seconds of the training rounds only.</p>\n<div class=\"grid\">\n");
        for (String name : List.of("fvu", "loss", "l0", "dead", "throughput")) {
            b.append("<figure>").append(charts.get(name)).append("</figure>\n");
        }
        b.append("</div></section>\n");
    }

    private static void firing(StringBuilder b, ReportData d, String chart) {
        FiringStats f = d.firing();
        b.append("<section id=\"firing\"><h2>How often concepts fire</h2>\n<div class=\"grid\"><figure>")
                .append(chart)
                .append("</figure>\n<div class=\"explain\"><p>");
        b.append(String.format(
                Locale.ROOT,
                "The final model encoded %,d rows of the input. Each bar counts the "
                        + "concepts whose share of rows with a non-zero code falls in it (half a decade per bar); %,d of %,d "
                        + "concepts never fired on these rows and have no bar.",
                f.rows(),
                f.dead(),
                f.counts().length));
        b.append("</p><p>A healthy dictionary has few never-firing concepts and no large group near frequency 1 "
                + "(concepts that fire on almost every row explain little).</p></div></div></section>\n");
    }

    private static void settings(StringBuilder b, List<SettingRow> rows) {
        b.append("<section id=\"settings\"><h2>Settings the model was trained with</h2>\n<table class=\"settings\">"
                + "<tr><th>setting</th><th>value</th><th>from</th><th>meaning</th></tr>\n");
        for (SettingRow r : rows) {
            b.append("<tr class=\"")
                    .append(r.source().equals("default") ? "dflt" : "given")
                    .append("\"><td><code>")
                    .append(Html.esc(r.name()))
                    .append("</code></td><td>")
                    .append(Html.esc(r.value()))
                    .append("</td><td>")
                    .append(Html.esc(r.source()))
                    .append("</td><td>")
                    .append(Html.esc(r.doc()))
                    .append("</td></tr>\n");
        }
        b.append("</table></section>\n");
    }

    private static void rounds(StringBuilder b, List<RoundStats> rounds) {
        b.append("<section id=\"rounds\"><h2>Rounds</h2>\n<details")
                .append(rounds.size() <= 40 ? " open" : "")
                .append("><summary>")
                .append(rounds.size())
                .append(" rounds</summary>\n<table class=\"num\"><tr><th>round</th>"
                        + "<th>tokens</th><th>loss</th><th>FVU</th><th>L0</th><th>dead (no fire in the last window)</th>"
                        + "<th>window (tokens)</th><th>never fired (run)</th><th>tokens/s</th><th>seconds</th></tr>\n");
        for (RoundStats r : rounds) {
            b.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%d</td><td>%d</td><td>%.6g</td><td>%.4f</td>"
                            + "<td>%.2f</td><td>%.4f</td><td>%d</td><td>%.4f</td><td>%.0f</td><td>%.2f</td></tr>%n",
                    r.round(),
                    r.tokens(),
                    r.loss(),
                    r.fvu(),
                    r.l0(),
                    r.deadFraction(),
                    r.deadWindow(),
                    r.neverFiredFraction(),
                    r.tokensPerSecond(),
                    r.seconds()));
        }
        b.append("</table></details></section>\n");
    }

    private static void facts(StringBuilder b, Map<String, String> facts) {
        b.append("<section id=\"run\"><h2>Run</h2>\n<table class=\"facts\">\n");
        facts.forEach((k, v) -> b.append("<tr><th>")
                .append(Html.esc(k))
                .append("</th><td>")
                .append(Html.esc(v))
                .append("</td></tr>\n"));
        b.append("</table></section>\n");
    }

    static String fmt4(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "n/a";
    }
}
