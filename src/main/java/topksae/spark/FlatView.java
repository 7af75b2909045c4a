package topksae.spark;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.BatchTopKSAE;
import topksae.model.SAE;
import topksae.train.Adam;

/**
 * A read-only flat view of state held by ND4J: arrays in order (row-major) followed by a few
 * trailing values, the same layout as {@link ModelState#of} and {@link Adam#flatState()}, read a
 * range at a time straight from the arrays' native buffers, so a worker never builds the whole
 * state as one Java array.
 */
final class FlatView {
    private final List<INDArray> arrays;
    private final float[] tail;
    private final long length;

    FlatView(List<INDArray> arrays, float[] tail) {
        this.arrays = arrays;
        this.tail = tail;
        long n = tail.length;
        for (INDArray a : arrays) {
            n += a.length();
        }
        this.length = n;
    }

    /** The model's state as {@link ModelState#of} lays it out. */
    static FlatView model(SAE sae) {
        List<INDArray> arrays = new ArrayList<>(sae.stateDict().values());
        if (!(sae instanceof BatchTopKSAE b)) {
            return new FlatView(arrays, new float[0]);
        }
        float t = b.runningThreshold() == null
                ? ModelState.UNSET
                : b.runningThreshold().floatValue();
        return new FlatView(arrays, new float[] {t});
    }

    /** Adam's state as {@link Adam#flatState()} lays it out: m and v of each parameter, then the step. */
    static FlatView adam(Adam adam) {
        List<INDArray> arrays = new ArrayList<>();
        for (int i = 0; i < adam.size(); i++) {
            arrays.add(adam.expAvg(i));
            arrays.add(adam.expAvgSq(i));
        }
        return new FlatView(arrays, new float[] {adam.stepCount()});
    }

    long length() {
        return length;
    }

    /** Copies values [from, from + len) into dst[off, off + len). */
    void read(long from, float[] dst, int off, int len) {
        long start = 0;
        for (INDArray a : arrays) {
            long n = a.length();
            if (from < start + n && len > 0) {
                int skip = (int) (from - start);
                int take = (int) Math.min(len, n - skip);
                buffer(a).position(skip).get(dst, off, take);
                from += take;
                off += take;
                len -= take;
            }
            start += n;
        }
        for (int i = 0; i < tail.length && len > 0; i++, start++) {
            if (from == start) {
                dst[off++] = tail[i];
                from++;
                len--;
            }
        }
        if (len > 0) {
            throw new IndexOutOfBoundsException("range ends past the state (length " + length + ")");
        }
    }

    /**
     * Copies src[off, off + len) into values [from, from + len) of the arrays (straight into their
     * native buffers) and of the trailing values ({@link #tail()}).
     */
    void write(long from, float[] src, int off, int len) {
        long start = 0;
        for (INDArray a : arrays) {
            long n = a.length();
            if (from < start + n && len > 0) {
                int skip = (int) (from - start);
                int take = (int) Math.min(len, n - skip);
                if (plain(a)) {
                    a.data().asNioFloat().position(skip).put(src, off, take);
                } else {
                    for (int i = 0; i < take; i++) {
                        a.putScalar(skip + i, src[off + i]);
                    }
                }
                from += take;
                off += take;
                len -= take;
            }
            start += n;
        }
        for (int i = 0; i < tail.length && len > 0; i++, start++) {
            if (from == start) {
                tail[i] = src[off++];
                from++;
                len--;
            }
        }
        if (len > 0) {
            throw new IndexOutOfBoundsException("range ends past the state (length " + length + ")");
        }
    }

    /** The trailing values (a BatchTopK threshold, Adam's step count), as last read or written. */
    float[] tail() {
        return tail;
    }

    /** True if every value is finite (scanned a slice at a time). */
    boolean finite() {
        float[] buf = new float[(int) Math.min(length, 1 << 20)];
        for (long from = 0; from < length; from += buf.length) {
            int len = (int) Math.min(buf.length, length - from);
            read(from, buf, 0, len);
            for (int i = 0; i < len; i++) {
                if (!Float.isFinite(buf[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean plain(INDArray a) {
        return a.dataType() == DataType.FLOAT
                && !a.isView()
                && a.ordering() == 'c'
                && a.data().length() == a.length();
    }

    /** The array's values in row-major order, without a copy when it owns a plain float buffer. */
    private static FloatBuffer buffer(INDArray a) {
        INDArray src = plain(a) ? a : a.castTo(DataType.FLOAT).dup('c');
        return src.data().asNioFloat();
    }
}
