package topksae.spark;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import scala.reflect.ClassTag$;

/**
 * The state a round starts from (model, then the optimizer state when shipped), broadcast in
 * chunks of at most {@link RoundExchange#chunkFloats} values, so that neither side holds a second
 * whole copy of it on the heap.
 *
 * <p>On the driver each chunk refers to a range of the driver's own arrays (no copy); Spark keeps
 * only its serialized pieces (a broadcast marked serialized-only, an internal API public in
 * bytecode). A worker reads the chunks one at a time straight into its ND4J arrays
 * ({@link FlatView#write}); on an executor JVM it then drops the chunk's local blocks, so an
 * executor holds about one chunk of the broadcast at a time. A second task of the same executor
 * that needs a dropped chunk fetches it again. In the driver's JVM (local mode) the chunk is the
 * driver's own array and nothing is dropped.
 */
final class StateBroadcast implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final List<Broadcast<Chunk>> remote;
    private final List<Chunk> local;
    private final long stateLength;
    private final long optimizerLength;
    private transient boolean destroyed;

    private StateBroadcast(List<Broadcast<Chunk>> remote, List<Chunk> local, long stateLength, long optimizerLength) {
        this.remote = remote;
        this.local = local;
        this.stateLength = stateLength;
        this.optimizerLength = optimizerLength;
    }

    /** Broadcasts state and optimizer (null: not shipped) in chunks. */
    static StateBroadcast of(SparkContext sc, float[] state, float[] optimizer, int chunkFloats) {
        List<Broadcast<Chunk>> out = new ArrayList<>();
        for (Chunk c : chunks(state, optimizer, chunkFloats)) {
            out.add(sc.broadcastInternal(c, true, ClassTag$.MODULE$.apply(Chunk.class)));
        }
        return new StateBroadcast(out, null, state.length, optimizer == null ? 0 : optimizer.length);
    }

    /** The same chunks held directly (no Spark): for a worker run in-process. */
    static StateBroadcast direct(float[] state, float[] optimizer, int chunkFloats) {
        return new StateBroadcast(
                null, chunks(state, optimizer, chunkFloats), state.length, optimizer == null ? 0 : optimizer.length);
    }

    private static List<Chunk> chunks(float[] state, float[] optimizer, int chunkFloats) {
        long[] parts = optimizer == null ? new long[] {state.length} : new long[] {state.length, optimizer.length};
        List<Chunk> out = new ArrayList<>();
        for (RoundExchange.Range r : RoundExchange.ranges(parts, chunkFloats)) {
            out.add(new Chunk(r.part(), r.part() == 0 ? state : optimizer, (int) r.offset(), r.length()));
        }
        return out;
    }

    boolean hasOptimizer() {
        return optimizerLength > 0;
    }

    long stateLength() {
        return stateLength;
    }

    /** Writes every chunk into model (part 0) and optimizer (part 1; skipped when null). */
    void loadInto(FlatView model, FlatView optimizer) {
        int n = remote != null ? remote.size() : local.size();
        for (int i = 0; i < n; i++) {
            Chunk c = remote != null ? remote.get(i).value() : local.get(i);
            FlatView target = c.part == 0 ? model : optimizer;
            if (target != null) {
                target.write(c.offset, c.array(), c.arrayOffset(), c.length);
            }
            if (remote != null) {
                dropLocalCopy(remote.get(i));
            }
        }
    }

    /** On an executor JVM: drops this chunk's blocks (its pieces) from the local block manager. */
    private static void dropLocalCopy(Broadcast<Chunk> b) {
        SparkEnv env = SparkEnv.get();
        if (env != null && !"driver".equals(env.executorId())) {
            env.blockManager().removeBroadcast(b.id(), true);
        }
    }

    /** Removes the chunks everywhere (blocking); a second call does nothing. */
    void destroy() {
        if (remote != null && !destroyed) {
            destroyed = true;
            for (Broadcast<Chunk> b : remote) {
                b.destroy(true);
            }
        }
    }

    /**
     * Values [offset, offset + length) of part 0 (model) or 1 (optimizer). On the driver it refers
     * to the driver's array; deserialized, it owns its values. Serialized as raw bytes.
     */
    static final class Chunk implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private static final int IO_BYTES = 1 << 16;
        final int part;
        final int offset;
        final int length;
        private transient float[] source;
        private transient float[] values;

        Chunk(int part, float[] source, int offset, int length) {
            this.part = part;
            this.source = source;
            this.offset = offset;
            this.length = length;
        }

        float[] array() {
            return values != null ? values : source;
        }

        int arrayOffset() {
            return values != null ? 0 : offset;
        }

        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            out.defaultWriteObject();
            float[] a = array();
            int from = arrayOffset();
            ByteBuffer buf = ByteBuffer.allocate(IO_BYTES);
            for (int o = 0; o < length; o += IO_BYTES / 4) {
                int n = Math.min(IO_BYTES / 4, length - o);
                buf.clear();
                buf.asFloatBuffer().put(a, from + o, n);
                out.write(buf.array(), 0, 4 * n);
            }
        }

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            values = new float[length];
            byte[] bytes = new byte[IO_BYTES];
            for (int o = 0; o < length; o += IO_BYTES / 4) {
                int n = Math.min(IO_BYTES / 4, length - o);
                in.readFully(bytes, 0, 4 * n);
                ByteBuffer.wrap(bytes, 0, 4 * n).asFloatBuffer().get(values, o, n);
            }
        }
    }
}
