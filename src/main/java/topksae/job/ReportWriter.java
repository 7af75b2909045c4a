package topksae.job;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run report: training curves (FVU and loss over tokens) and the log-scale histogram of
 * latent firing frequencies as PNG files, and one self-contained report.html that shows them
 * (images inlined) with the run's facts and the per-round table.
 */
public final class ReportWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);
  public static final String FVU_PNG = "fvu.png";
  public static final String LOSS_PNG = "loss.png";
  public static final String FIRING_PNG = "firing.png";
  public static final String HTML = "report.html";

  private ReportWriter() {
  }

  /** Writes the report into {@code dir}; returns the path of report.html. */
  public static Path write(Path dir, Map<String, String> facts, List<RoundStats> rounds,
                           FiringStats firing, Configuration conf) {
    Map<String, byte[]> images = new LinkedHashMap<>();
    try {
      images.putAll(charts(rounds, firing));
    } catch (RuntimeException | Error e) {   // e.g. no fonts on a minimal cluster image
      LOG.warn("report charts skipped: {}", e.toString());
    }
    images.forEach((name, png) -> HadoopFiles.writeAtomically(new Path(dir, name), png, conf));
    Path html = new Path(dir, HTML);
    HadoopFiles.writeAtomically(html,
        html(facts, rounds, firing, images).getBytes(StandardCharsets.UTF_8), conf);
    return html;
  }

  static Map<String, byte[]> charts(List<RoundStats> rounds, FiringStats firing) {
    double[] tokens = rounds.stream().mapToDouble(RoundStats::tokens).toArray();
    double[] fvu = rounds.stream().mapToDouble(RoundStats::fvu).toArray();
    double[] loss = rounds.stream().mapToDouble(RoundStats::loss).toArray();
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(FVU_PNG, Charts.png(Charts.line("Fraction of variance unexplained",
        "tokens", "FVU", tokens, fvu, false)));
    out.put(LOSS_PNG, Charts.png(Charts.line("Training loss (log scale)",
        "tokens", "loss", tokens, loss, true)));
    out.put(FIRING_PNG, Charts.png(Charts.histogram(
        String.format(Locale.ROOT, "Latent firing frequency over %d rows (%d never fired)",
            firing.rows(), firing.dead()),
        "log10(firing frequency)", "latents", firing.edges(), firing.histogram(), "%.1f")));
    return out;
  }

  static String html(Map<String, String> facts, List<RoundStats> rounds, FiringStats firing,
                     Map<String, byte[]> images) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>TopK SAE training "
        + "report</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1500px}"
        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
        + "text-align:right}th{background:#f4f4f4}img{margin:4px;border:1px solid #eee}"
        + "</style></head><body>\n<h1>TopK SAE training report</h1>\n<table>\n");
    facts.forEach((k, v) -> b.append("<tr><th style=\"text-align:left\">").append(esc(k))
        .append("</th><td style=\"text-align:left\">").append(esc(v)).append("</td></tr>\n"));
    b.append("</table>\n<h2>Curves and latent usage</h2>\n<div>");
    images.forEach((name, png) -> b.append("<img alt=\"").append(name).append("\" src=\"data:")
        .append("image/png;base64,").append(Base64.getEncoder().encodeToString(png))
        .append("\">\n"));
    b.append("</div>\n<p>Latents that never fired on the sample: ").append(firing.dead())
        .append(" of ").append(firing.counts().length).append(".</p>\n");
    b.append("<h2>Rounds</h2>\n<table><tr><th>round</th><th>tokens</th><th>loss</th>"
        + "<th>FVU</th><th>L0</th><th>dead (no fire in the last window)</th><th>window (tokens)</th>"
        + "<th>never fired (run)</th><th>tokens/s</th><th>seconds</th></tr>\n");
    for (RoundStats r : rounds) {
      b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%.6g</td><td>%.4f</td>"
              + "<td>%.2f</td><td>%.4f</td><td>%d</td><td>%.4f</td><td>%.0f</td><td>%.2f</td></tr>%n",
          r.round(), r.tokens(), r.loss(), r.fvu(), r.l0(), r.deadFraction(), r.deadWindow(),
          r.neverFiredFraction(), r.tokensPerSecond(), r.seconds()));
    }
    return b.append("</table>\n</body></html>\n").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
