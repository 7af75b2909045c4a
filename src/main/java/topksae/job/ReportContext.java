package topksae.job;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import topksae.job.ReportData.TopRow;
import topksae.job.ReportSample.Labels;

/**
 * Puts text on the report's rows: the row's token, and the tokens of the same document around
 * it (ordered by position, one token per position). WordPiece continuations ("##ing") join the
 * token before them without a space.
 */
final class ReportContext {
    private ReportContext() {}

    /** A row read for labels: its key, text, document and position (each may be null). */
    record Near(long key, String text, Object doc, Long position) {
        long offset() {
            return key & 0xffffffffL;
        }
    }

    /**
     * The rows of {@code shown} with labels from {@code near}: rows (key, then the label columns
     * present, in the order text, doc, position) within {@code window} offsets of the shown rows.
     */
    static Map<Long, TopRow> label(TreeMap<Long, TopRow> shown, List<Row> near, Labels labels, int window) {
        List<Near> all = new ArrayList<>();
        for (Row r : near) {
            int i = 1;
            String text = labels.text() == null ? null : Objects.toString(r.get(i++), "");
            Object doc = labels.doc() == null ? null : r.get(i++);
            Long pos = labels.position() == null || r.get(i) == null ? null : ((Number) r.get(i)).longValue();
            all.add(new Near(r.getLong(0), text, doc, pos));
        }
        Map<Long, Near> byKey = new TreeMap<>();
        all.forEach(n -> byKey.put(n.key(), n));
        Map<Long, TopRow> out = new TreeMap<>(shown);
        for (long key : shown.keySet()) {
            Near centre = byKey.get(key);
            if (centre != null) {
                out.put(key, row(centre, context(all, centre, window)));
            }
        }
        return out;
    }

    private static List<Near> context(List<Near> all, Near centre, int window) {
        Map<Long, Near> byPosition = new TreeMap<>();
        for (Near n : all) {
            if ((n.key() >>> 32) == (centre.key() >>> 32)
                    && Math.abs(n.offset() - centre.offset()) <= window
                    && Objects.equals(n.doc(), centre.doc())) {
                byPosition.putIfAbsent(n.position() != null ? n.position() : n.offset(), n);
            }
        }
        List<Near> ctx = new ArrayList<>(byPosition.values());
        ctx.sort(Comparator.comparingLong(n -> n.position() != null ? n.position() : n.offset()));
        return ctx;
    }

    private static TopRow row(Near c, List<Near> ctx) {
        String where = c.doc() == null
                ? "partition " + (c.key() >>> 32) + ", row " + c.offset()
                : "doc " + c.doc() + (c.position() == null ? "" : ", position " + c.position());
        if (c.text() == null) {
            return new TopRow(0, where, "", "", "");
        }
        long at = c.position() != null ? c.position() : c.offset();
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (Near n : ctx) {
            long p = n.position() != null ? n.position() : n.offset();
            if (p < at) {
                before.add(n.text());
            } else if (p > at) {
                after.add(n.text());
            }
        }
        String token = c.text();
        String b = join(before);
        String a = join(after);
        return new TopRow(0, where, b, token.startsWith("##") ? token.substring(2) : token, a);
    }

    /** Tokens as text: a space between tokens, none before a "##" continuation. */
    static String join(List<String> tokens) {
        StringBuilder s = new StringBuilder();
        for (String t : tokens) {
            if (t.startsWith("##")) {
                s.append(t.substring(2));
            } else {
                if (s.length() > 0) {
                    s.append(' ');
                }
                s.append(t);
            }
        }
        return s.toString();
    }
}
