package topksae.job;

import java.util.List;
import java.util.Locale;
import topksae.job.ReportData.ConceptCard;
import topksae.job.ReportData.Neighbour;
import topksae.job.ReportData.TopRow;

/** The report's concept section: one card per concept, most frequent first, then least frequent. */
final class ReportConcepts {
    static final String MOST = "most frequent";
    static final String LEAST = "least frequent";

    private ReportConcepts() {}

    static void section(StringBuilder b, ReportData d) {
        b.append("<section id=\"concepts\"><h2>Concepts</h2>\n<p class=\"explain\">");
        b.append(String.format(
                Locale.ROOT,
                "For the concepts that fired most and least often on the %,d sampled rows "
                        + "(least: among those that fired at all): the rows with the strongest activation (the token highlighted "
                        + "in its text when the input has a text column) and the concepts whose dictionary rows are nearest by "
                        + "cosine similarity, with their firing frequency.",
                d.firing().rows()));
        b.append("</p>\n");
        if (d.concepts().isEmpty()) {
            b.append("<p>No concepts shown: none fired on the sampled rows, --report-concepts is 0, or the section "
                    + "failed (the job's log says why).</p>\n");
        }
        java.util.Set<Integer> shown = new java.util.HashSet<>();
        d.concepts().forEach(c -> shown.add(c.concept()));
        for (String group : List.of(MOST, LEAST)) {
            List<ConceptCard> cards =
                    d.concepts().stream().filter(c -> c.group().equals(group)).toList();
            if (cards.isEmpty()) {
                continue;
            }
            b.append("<h3>")
                    .append(Character.toUpperCase(group.charAt(0)))
                    .append(group.substring(1))
                    .append(" concepts</h3>\n<div class=\"concepts\">\n");
            cards.forEach(c -> card(b, c, shown));
            b.append("</div>\n");
        }
        b.append("</section>\n");
    }

    private static void card(StringBuilder b, ConceptCard c, java.util.Set<Integer> shown) {
        b.append("<div class=\"concept\" id=\"concept-")
                .append(c.concept())
                .append("\"><h4>Concept ")
                .append(c.concept())
                .append(String.format(
                        Locale.ROOT,
                        " <span class=\"meta\">fires on %s of rows (%,d) · " + "mean activation %.3g</span></h4>\n",
                        frequency(c.frequency()),
                        c.fires(),
                        c.meanActivation()));
        double max = c.top().stream().mapToDouble(TopRow::activation).max().orElse(1);
        b.append("<table>\n");
        for (TopRow r : c.top()) {
            int width = (int) Math.round(70 * (max > 0 ? r.activation() / max : 0));
            b.append("<tr><td class=\"act\"><span class=\"abar\" style=\"width:")
                    .append(Math.max(width, 1))
                    .append("px\"></span>")
                    .append(String.format(Locale.ROOT, "%.3g", r.activation()))
                    .append("</td><td class=\"ctx\">");
            if (r.token().isEmpty()) {
                b.append("<span class=\"where\">").append(Html.esc(r.where())).append("</span>");
            } else {
                b.append(Html.esc(r.before()))
                        .append(r.before().isEmpty() ? "" : " ")
                        .append("<mark>")
                        .append(Html.esc(r.token()))
                        .append("</mark>")
                        .append(r.after().isEmpty() ? "" : " ")
                        .append(Html.esc(r.after()))
                        .append(" <span class=\"where\">")
                        .append(Html.esc(r.where()))
                        .append("</span>");
            }
            b.append("</td></tr>\n");
        }
        b.append("</table>\n<div class=\"near\">nearest concepts (cosine, firing frequency): ");
        for (Neighbour n : c.nearest()) {
            String label =
                    String.format(Locale.ROOT, "#%d cos %.2f, %s", n.concept(), n.cosine(), frequency(n.frequency()));
            b.append("<span class=\"chip\">")
                    .append(
                            shown.contains(n.concept())
                                    ? "<a href=\"#concept-" + n.concept() + "\">" + label + "</a>"
                                    : label)
                    .append("</span>");
        }
        b.append("</div></div>\n");
    }

    /** A share of rows: 12.3%, 0.041%, 1.2e-05%. */
    static String frequency(double f) {
        double p = 100 * f;
        return p >= 0.1
                ? String.format(Locale.ROOT, "%.1f%%", p)
                : p >= 1e-3 ? String.format(Locale.ROOT, "%.3f%%", p) : String.format(Locale.ROOT, "%.1e%%", p);
    }
}
