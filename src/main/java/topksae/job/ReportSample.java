package topksae.job;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import topksae.job.ReportData.ConceptCard;
import topksae.job.ReportData.Neighbour;
import topksae.job.ReportData.TopRow;
import topksae.spark.TopKSAEModel;

/**
 * The rows the report looks at after training: the first ceil(sampleRows / partitions) rows of
 * every input partition, so a second look at the same input finds the same rows. A row's key is
 * its partition and its offset in it. One pass encodes the sample (firing counts and every
 * concept's strongest rows); a second, without encoding, reads the text around the rows shown.
 */
final class ReportSample {
    static final int TOP_ROWS = 5;
    static final int NEIGHBOURS = 5;
    /** Tokens of context on each side of a shown token. */
    static final int CONTEXT = 8;

    private static final String KEY = "__topksae_row";

    /** The input's columns that label a row; null when the input has no such column. */
    record Labels(String text, String doc, String position) {}

    private final Dataset<Row> data;
    private final long perPartition;

    ReportSample(Dataset<Row> data, long sampleRows) {
        this.data = data;
        this.perPartition =
                Math.max(1, -Math.floorDiv(-sampleRows, Math.max(1, data.rdd().getNumPartitions())));
    }

    Dataset<Row> data() {
        return data;
    }

    /** Encodes the sample with the model: firing counts and strongest rows per concept. */
    ConceptDigest digest(TopKSAEModel model) {
        String in = model.getInputCol();
        Dataset<Row> cols = data.select(in);
        long cap = perPartition;
        JavaRDD<Row> keyed = cols.javaRDD().mapPartitionsWithIndex((p, it) -> keyed(p, it, cap), true);
        StructType schema = cols.schema().add(KEY, DataTypes.LongType, false);
        Dataset<Row> codes = model.transform(data.sparkSession().createDataFrame(keyed, schema))
                .select(KEY, model.getOutputCol());
        int nb = model.config().nbConcepts;
        return codes.javaRDD()
                .treeAggregate(
                        new ConceptDigest(nb, TOP_ROWS),
                        (d, r) -> d.add(r.getLong(0), (Vector) r.get(1)),
                        ConceptDigest::merge,
                        2);
    }

    private static Iterator<Row> keyed(int partition, Iterator<Row> rows, long cap) {
        List<Row> out = new ArrayList<>();
        for (long o = 0; o < cap && rows.hasNext(); o++) {
            out.add(RowFactory.create(rows.next().get(0), key(partition, o)));
        }
        return out.iterator();
    }

    static long key(int partition, long offset) {
        return ((long) partition << 32) | offset;
    }

    /** The report's concept cards: the perGroup most and least frequent concepts that fired. */
    List<ConceptCard> cards(TopKSAEModel model, ConceptDigest d, int perGroup, Labels labels) {
        Integer[] fired = IntStream.range(0, d.concepts)
                .filter(c -> d.fires[c] > 0)
                .boxed()
                .toArray(Integer[]::new);
        Arrays.sort(fired, Comparator.comparingLong((Integer c) -> -d.fires[c]).thenComparing(c -> c));
        List<Integer> most = Arrays.asList(fired).subList(0, Math.min(perGroup, fired.length));
        List<Integer> least = new ArrayList<>();
        for (int i = fired.length - 1; i >= 0 && least.size() < perGroup; i--) {
            if (!most.contains(fired[i])) {
                least.add(fired[i]);
            }
        }
        List<Integer> chosen = new ArrayList<>(most);
        chosen.addAll(least);
        Map<Long, TopRow> rows = rows(d, chosen, labels);
        float[] unit = NearestDictionary.unitRows(model.dictionary());
        int dim = model.config().inputShape[0];
        double[] frequency = Arrays.stream(d.fires)
                .mapToDouble(f -> (double) f / Math.max(1, d.rows))
                .toArray();
        List<ConceptCard> cards = new ArrayList<>();
        for (int c : chosen) {
            List<TopRow> top = new ArrayList<>();
            for (int j = 0; j < d.held(c); j++) {
                TopRow r = rows.get(d.topKey[c * d.n + j]);
                top.add(new TopRow(d.topActivation[c * d.n + j], r.where(), r.before(), r.token(), r.after()));
            }
            List<Neighbour> near = NearestDictionary.nearest(unit, dim, c, NEIGHBOURS, frequency);
            cards.add(new ConceptCard(
                    most.contains(c) ? ReportConcepts.MOST : ReportConcepts.LEAST,
                    c,
                    d.fires[c],
                    (double) d.fires[c] / d.rows,
                    d.meanActivation(c),
                    top,
                    near));
        }
        return cards;
    }

    /** The shown rows by key: where they are and, when the input has text, the token in its context. */
    private Map<Long, TopRow> rows(ConceptDigest d, List<Integer> chosen, Labels labels) {
        TreeMap<Long, TopRow> out = new TreeMap<>();
        for (int c : chosen) {
            for (int j = 0; j < d.held(c); j++) {
                long k = d.topKey[c * d.n + j];
                out.put(k, new TopRow(0, "partition " + (k >>> 32) + ", row " + (k & 0xffffffffL), "", "", ""));
            }
        }
        if (labels.text() == null && labels.doc() == null) {
            return out;
        }
        List<String> cols = new ArrayList<>();
        for (String c : new String[] {labels.text(), labels.doc(), labels.position()}) {
            if (c != null) {
                cols.add(c);
            }
        }
        long[] wanted = out.keySet().stream().mapToLong(Long::longValue).toArray();
        long cap = perPartition;
        int window = labels.doc() == null ? 0 : CONTEXT;
        Dataset<Row> sel = data.select(
                cols.stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
        List<Row> near = sel.javaRDD()
                .mapPartitionsWithIndex((p, it) -> around(p, it, cap, window, wanted), true)
                .collect();
        return ReportContext.label(out, near, labels, window);
    }

    /** Rows within window offsets of a wanted key of this partition: (key, the label columns...). */
    private static Iterator<Row> around(int partition, Iterator<Row> rows, long cap, int window, long[] wanted) {
        List<Long> mine = new ArrayList<>();
        for (long k : wanted) {
            if ((k >>> 32) == partition) {
                mine.add(k & 0xffffffffL);
            }
        }
        List<Row> out = new ArrayList<>();
        if (mine.isEmpty()) {
            return out.iterator();
        }
        long last = mine.stream().mapToLong(Long::longValue).max().orElse(0) + window;
        for (long o = 0; o <= Math.min(last, cap + window) && rows.hasNext(); o++) {
            Row r = rows.next();
            long off = o;
            if (mine.stream().anyMatch(m -> Math.abs(m - off) <= window)) {
                Object[] v = new Object[r.length() + 1];
                v[0] = key(partition, o);
                for (int i = 0; i < r.length(); i++) {
                    v[i + 1] = r.get(i);
                }
                out.add(RowFactory.create(v));
            }
        }
        return out.iterator();
    }

    /** The labels to use: each named column when the input has it. */
    static Labels labels(Dataset<Row> data, String text, String doc, String position) {
        List<String> have = Arrays.asList(data.columns());
        String t = text != null && have.contains(text) ? text : null;
        String d = doc != null && have.contains(doc) ? doc : null;
        String p = position != null && have.contains(position) && d != null ? position : null;
        return new Labels(t, d, p);
    }
}
