package topksae.spark;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Dependency;
import org.apache.spark.Partitioner;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;

/**
 * Moves one round's results from the workers to the driver in bounded pieces and sums them in a
 * fixed worker order (so a fit is bit-for-bit reproducible: float sums depend on their order).
 *
 * <p>Each worker splits its new state (model, then optimizer state when averaged) into chunks of at
 * most {@link #chunkFloats} values. A shuffle sends chunk c of every worker to reduce partition c,
 * sorted by worker; there the chunks are summed worker 0, 1, ... into one. The driver then fetches
 * the summed chunks one partition at a time into one preallocated sum per part. So the driver
 * receives one state per round whatever the number of workers, no serialized block exceeds the
 * chunk size, and the memory a round needs beyond the state is a few chunks.
 */
final class RoundExchange {
    /** Largest chunk (bytes): bounds every serialized block and the driver's fetch buffers. */
    static final long MAX_CHUNK_BYTES = 16L << 20;
    /** Smallest chunk (bytes): bounds the number of reduce partitions. */
    static final long MIN_CHUNK_BYTES = 4L << 20;
    /** Target for a reduce task's buffered chunks (workers x chunk). */
    static final long REDUCE_BYTES = 256L << 20;

    private RoundExchange() {}

    /** Values per chunk for a round over this many workers. */
    static int chunkFloats(int workers) {
        long bytes = Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, REDUCE_BYTES / Math.max(1, workers)));
        return (int) (bytes / Float.BYTES);
    }

    /** A chunk: values [offset, offset + length) of part (0 = model state, 1 = optimizer state). */
    record Range(int part, long offset, int length) implements java.io.Serializable {}

    /** The chunks of parts of these lengths, part by part, none crossing a part's end. */
    static List<Range> ranges(long[] partLengths, int chunk) {
        List<Range> out = new ArrayList<>();
        for (int p = 0; p < partLengths.length; p++) {
            for (long o = 0; o < partLengths[p]; o += chunk) {
                out.add(new Range(p, o, (int) Math.min(chunk, partLengths[p] - o)));
            }
        }
        return out;
    }

    /**
     * One chunk of a worker's result, or of the sum over workers; meta (counts, stats) rides on chunk
     * 0. A piece is sent once: serializing it writes its values as raw bytes and lets go of them,
     * because a Java serialization stream keeps every object it wrote (until it is reset, every 100
     * objects in Spark's shuffle), which would keep a worker's whole state alive while it is written.
     */
    static final class Piece implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        int chunk;
        transient float[] values;
        RoundResult meta;

        Piece(int chunk, float[] values, RoundResult meta) {
            this.chunk = chunk;
            this.values = values;
            this.meta = meta;
        }

        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            out.defaultWriteObject();
            out.writeInt(values == null ? -1 : values.length);
            if (values != null) {
                ByteBuffer buf = ByteBuffer.allocate(IO_BYTES);
                for (int o = 0; o < values.length; o += IO_BYTES / 4) {
                    int n = Math.min(IO_BYTES / 4, values.length - o);
                    buf.clear();
                    buf.asFloatBuffer().put(values, o, n);
                    out.write(buf.array(), 0, 4 * n);
                }
            }
            values = null;
        }

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            int len = in.readInt();
            if (len < 0) {
                return;
            }
            values = new float[len];
            byte[] bytes = new byte[IO_BYTES];
            for (int o = 0; o < len; o += IO_BYTES / 4) {
                int n = Math.min(IO_BYTES / 4, len - o);
                in.readFully(bytes, 0, 4 * n);
                ByteBuffer.wrap(bytes, 0, 4 * n).asFloatBuffer().get(values, o, n);
            }
        }
    }

    private static final int IO_BYTES = 1 << 16;

    /** Shuffle key of worker w's chunk c: ordered by chunk, then worker. */
    static long key(int chunk, int worker) {
        return ((long) chunk << 32) | worker;
    }

    /**
     * Runs the round (one task per worker over slices) and returns the sums over the accepted
     * workers: state and optimizer (if optLength > 0) plus merged counts and statistics.
     */
    static RoundResult run(
            JavaRDD<float[]> slices,
            Broadcast<RoundPlan> plan,
            long stateLength,
            long optLength,
            Runnable afterWorkers) {
        List<Range> ranges = ranges(
                optLength > 0 ? new long[] {stateLength, optLength} : new long[] {stateLength},
                plan.value().chunkFloats());
        JavaPairRDD<Long, Piece> sorted = slices.mapPartitionsWithIndex(
                        (w, it) -> LocalWorker.run(w, it, plan.value()), false)
                .mapToPair(t -> t)
                .repartitionAndSortWithinPartitions(new ByChunk(ranges.size()));
        try {
            runWorkers(slices.context(), sorted);
            afterWorkers.run();
            try {
                return fetch(sorted.values().mapPartitions(RoundExchange::sumInOrder), ranges, stateLength, optLength);
            } catch (RuntimeException e) {
                throw new LostAfterWorkers(e);
            }
        } finally {
            cleanShuffle(slices.context(), sorted);
        }
    }

    /**
     * Runs the workers (the shuffle's map stage) to the end, so that what they read can be dropped
     * before the sums are fetched. A shuffle output lost after this point cannot be recomputed (its
     * workers' start state is gone): the fetch fails with {@link LostAfterWorkers}.
     */
    private static void runWorkers(SparkContext sc, JavaPairRDD<Long, Piece> shuffled) {
        scala.collection.Iterator<Dependency<?>> deps =
                shuffled.rdd().dependencies().iterator();
        while (deps.hasNext()) {
            if (deps.next() instanceof ShuffleDependency<?, ?, ?> s) {
                try {
                    sc.submitMapStage(s).get();
                } catch (org.apache.spark.SparkException e) {
                    throw RoundExchange.<RuntimeException>rethrow(e); // as the fetch's jobs would: unchanged
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable e) throws E {
        throw (E) e;
    }

    /**
     * The round failed after its workers ran and their start state was dropped (e.g. an executor
     * holding shuffle outputs was lost): the round can be run again from the same state.
     */
    static final class LostAfterWorkers extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LostAfterWorkers(Throwable cause) {
            super("the round's results were lost after its workers ran: " + cause.getMessage(), cause);
        }
    }

    /** The driver side: summed chunks one partition at a time into one sum per part. */
    private static RoundResult fetch(JavaRDD<Piece> sums, List<Range> ranges, long stateLength, long optLength) {
        RoundResult out = RoundResult.empty();
        Iterator<Piece> it = sums.toLocalIterator();
        while (it.hasNext()) {
            Piece p = it.next();
            if (p.meta != null) {
                out.merge(p.meta);
            }
            if (p.values == null) {
                continue;
            }
            Range r = ranges.get(p.chunk);
            if (out.state == null) {
                out.state = new float[Math.toIntExact(stateLength)];
                out.optimizer = optLength > 0 ? new float[Math.toIntExact(optLength)] : null;
            }
            System.arraycopy(p.values, 0, r.part() == 0 ? out.state : out.optimizer, (int) r.offset(), r.length());
        }
        return out;
    }

    /** The reduce side: one partition's chunks, sorted by worker, summed in that order. */
    static Iterator<Piece> sumInOrder(Iterator<Piece> pieces) {
        if (!pieces.hasNext()) {
            return Collections.emptyIterator();
        }
        Piece acc = new Piece(-1, null, null);
        while (pieces.hasNext()) {
            Piece p = pieces.next();
            acc.chunk = p.chunk;
            if (p.meta != null) {
                acc.meta = acc.meta == null ? RoundResult.empty() : acc.meta;
                acc.meta.merge(p.meta);
            }
            acc.values = add(acc.values, p.values);
        }
        return List.of(acc).iterator();
    }

    private static float[] add(float[] a, float[] b) {
        if (a == null) {
            return b;
        }
        if (b != null) {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
        return a;
    }

    /**
     * Deletes the round's shuffle files now instead of when the driver's garbage collector notices
     * (a round writes workers x state bytes). Uses Spark's own cleaner (internal API, public in
     * bytecode); without one the files go when the context stops.
     */
    private static void cleanShuffle(SparkContext sc, JavaPairRDD<Long, Piece> shuffled) {
        scala.collection.Iterator<Dependency<?>> deps =
                shuffled.rdd().dependencies().iterator();
        while (deps.hasNext()) {
            if (deps.next() instanceof ShuffleDependency<?, ?, ?> s
                    && sc.cleaner().isDefined()) {
                sc.cleaner().get().doCleanupShuffle(s.shuffleId(), true);
            }
        }
    }

    /** Chunk c (the key's high half) to partition c. */
    static final class ByChunk extends Partitioner {
        private final int chunks;

        ByChunk(int chunks) {
            this.chunks = chunks;
        }

        @Override
        public int numPartitions() {
            return chunks;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key >>> 32);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByChunk b && b.chunks == chunks;
        }

        @Override
        public int hashCode() {
            return chunks;
        }
    }
}
