package topksae.spark;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.util.AccumulatorV2;
import scala.Tuple2;

/**
 * Counts of the rows skipped with handleInvalid=skip, per reason. Each input partition reports
 * its counts once, when fully read; a re-run of the partition (executor lost, cache recomputed)
 * replaces its counts instead of adding to them, so each row is counted once whatever the retries.
 */
final class InvalidRows implements java.io.Serializable {
    static final int NULL = 0;
    static final int WRONG_LENGTH = 1;
    static final int NON_FINITE = 2;

    private final PerPartition counts = new PerPartition();

    InvalidRows(SparkContext sc) {
        sc.register(counts, "topksae skipped rows (null, wrong length, non-finite) per input partition");
    }

    static int index(InputColumn.Problem p) {
        return switch (p) {
            case NULL_ROW -> NULL;
            case WRONG_LENGTH -> WRONG_LENGTH;
            case NON_FINITE -> NON_FINITE;
        };
    }

    /** The counts of the whole input partition p (null, wrong length, non-finite). */
    void setPartition(int p, long[] c) {
        counts.add(new Tuple2<>(p, c.clone()));
    }

    long nullRows() {
        return sum(NULL);
    }

    long wrongLengthRows() {
        return sum(WRONG_LENGTH);
    }

    long nonFiniteRows() {
        return sum(NON_FINITE);
    }

    long total() {
        return nullRows() + wrongLengthRows() + nonFiniteRows();
    }

    private long sum(int kind) {
        return counts.value().values().stream().mapToLong(c -> c[kind]).sum();
    }

    String describe() {
        return total() + " rows skipped (" + nullRows() + " null, " + wrongLengthRows() + " of a wrong length, "
                + nonFiniteRows() + " with NaN/Inf)";
    }

    /** partition -> counts; merging keeps one entry per partition (the latest), never a sum. */
    static final class PerPartition extends AccumulatorV2<Tuple2<Integer, long[]>, Map<Integer, long[]>> {
        private final HashMap<Integer, long[]> byPartition = new HashMap<>();

        @Override
        public boolean isZero() {
            return byPartition.isEmpty();
        }

        @Override
        public PerPartition copy() {
            PerPartition c = new PerPartition();
            synchronized (this) {
                c.byPartition.putAll(byPartition);
            }
            return c;
        }

        @Override
        public synchronized void reset() {
            byPartition.clear();
        }

        @Override
        public synchronized void add(Tuple2<Integer, long[]> v) {
            byPartition.put(v._1(), v._2());
        }

        @Override
        public synchronized void merge(AccumulatorV2<Tuple2<Integer, long[]>, Map<Integer, long[]>> other) {
            byPartition.putAll(other.value());
        }

        @Override
        public synchronized Map<Integer, long[]> value() {
            return new HashMap<>(byPartition);
        }
    }
}
