package topksae.model;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-row top-k without sorting whole rows: quickselect of the k-th largest value on a copy of the
 * row, then one pass that takes every value above it and, in index order, enough values equal to it.
 * Ties at the boundary therefore go to the lowest indices (torch's pick among ties is
 * implementation-defined; only positive ties at the boundary can change results).
 */
public final class TopKSelect {
    private TopKSelect() {}

    /** Strategy for picking k column indices per row of a [rows, n] matrix. */
    @FunctionalInterface
    public interface Selector {
        int[][] select(INDArray values, int k);
    }

    public static final Selector DEFAULT = TopKSelect::topK;

    /** Indices of the k largest values of every row (unordered within a row). */
    public static int[][] topK(INDArray values, int k) {
        INDArray v = contiguous(values);
        int rows = (int) v.rows();
        int n = (int) v.columns();
        if (k > n) {
            throw new IllegalArgumentException("k=" + k + " > " + n + " columns");
        }
        int[][] out = new int[rows][];
        ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[][] {new float[n], new float[n]});
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[][] s = scratch.get();
            readRow(v, r, s[0]);
            out[r] = rowTopK(s[0], n, k, s[1]);
        });
        return out;
    }

    /** Top-k indices of row[0..n) using scratch (length >= n) for the quickselect. */
    public static int[] rowTopK(float[] row, int n, int k, float[] scratch) {
        int[] idx = new int[k];
        if (k == 0) {
            return idx;
        }
        System.arraycopy(row, 0, scratch, 0, n);
        float kth = kthLargest(scratch, n, k);
        int c = 0;
        for (int j = 0; j < n && c < k; j++) {
            if (row[j] > kth) {
                idx[c++] = j;
            }
        }
        for (int j = 0; j < n && c < k; j++) {
            if (row[j] == kth) {
                idx[c++] = j;
            }
        }
        return idx;
    }

    /** The k-th largest (1-based) of a[0..n); reorders a. */
    public static float kthLargest(float[] a, int n, int k) {
        int target = k - 1;
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            float pivot = median(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] > pivot) {
                    i++;
                }
                while (a[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /**
     * A zero matrix shaped like m holding m's values at idx (row r, columns idx[r]); m must be
     * c-order and offset-free when it is float32 (bulk buffer access), other types go element-wise.
     */
    public static INDArray scatterSelected(INDArray m, int[][] idx) {
        INDArray src = contiguous(m);
        INDArray out = org.nd4j.linalg.factory.Nd4j.zerosLike(src);
        long n = src.columns();
        if (src.dataType() == DataType.FLOAT) {
            FloatBuffer in = src.data().asNioFloat();
            FloatBuffer o = out.data().asNioFloat();
            for (int r = 0; r < idx.length; r++) {
                long base = r * n;
                for (int j : idx[r]) {
                    o.put((int) (base + j), in.get((int) (base + j)));
                }
            }
        } else {
            for (int r = 0; r < idx.length; r++) {
                for (int j : idx[r]) {
                    out.putScalar(r, j, src.getDouble(r, j));
                }
            }
        }
        return out;
    }

    /** A c-order, offset-free copy if needed, so rows can be read from the flat buffer. */
    static INDArray contiguous(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }

    /** Copies row r of a c-order, offset-free matrix into dst (as float). */
    static void readRow(INDArray m, int r, float[] dst) {
        int n = (int) m.columns();
        long base = (long) r * n;
        if (m.dataType() == DataType.FLOAT) {
            FloatBuffer fb = m.data().asNioFloat();
            fb.position((int) base);
            fb.get(dst, 0, n);
        } else {
            for (int j = 0; j < n; j++) {
                dst[j] = (float) m.data().getDouble(base + j);
            }
        }
    }
}
