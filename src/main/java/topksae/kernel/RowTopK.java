package topksae.kernel;

/**
 * Top-k of relu(row) without sorting the row: one scan against the current k-th value (a min-heap
 * of k entries), in blocks whose maximum is checked first. Only positive values are selected, so a
 * row with fewer than k positives gives fewer entries (the other codes are 0 either way). Among equal
 * values at the boundary the lower indices win, as in the exact path. The output is sorted by index.
 */
public final class RowTopK {
    private static final int BLOCK = 16;

    private RowTopK() {}

    /** Scratch for one thread: the heap of k (value, index) pairs. */
    public static final class Heap {
        final float[] v;
        final int[] i;
        final float[] block = new float[64];

        public Heap(int k) {
            v = new float[Math.max(1, k)];
            i = new int[Math.max(1, k)];
        }
    }

    /**
     * Selects the (up to) k largest positive values of row[0..n) and writes their indices and values,
     * in increasing index order, to idx/val from position off. Returns how many were written.
     */
    public static int select(float[] row, int n, int k, Heap h, int[] idx, float[] val, int off) {
        if (k <= 0) {
            return 0;
        }
        float[] hv = h.v;
        int[] hi = h.i;
        int c = 0;
        float thr = 0f;
        int j = 0;
        for (; j + BLOCK <= n; j += BLOCK) {
            float m = row[j];
            for (int t = 1; t < BLOCK; t++) {
                float a = row[j + t];
                m = a > m ? a : m;
            }
            if (m > thr) {
                for (int t = j; t < j + BLOCK; t++) {
                    float a = row[t];
                    if (a > thr) {
                        c = offer(hv, hi, c, k, a, t);
                        thr = c == k ? hv[0] : 0f;
                    }
                }
            }
        }
        for (; j < n; j++) {
            float a = row[j];
            if (a > thr) {
                c = offer(hv, hi, c, k, a, j);
                thr = c == k ? hv[0] : 0f;
            }
        }
        sortByIndex(hv, hi, c);
        System.arraycopy(hi, 0, idx, off, c);
        System.arraycopy(hv, 0, val, off, c);
        return c;
    }

    /**
     * Like {@link #select} on row[j] + bias[j]; row is overwritten by those sums (fused with the
     * threshold test, vectorized when {@link Vec#SIMD}).
     */
    public static int selectWithBias(float[] row, float[] bias, int n, int k, Heap h, int[] idx, float[] val, int off) {
        if (!Vec.SIMD || k <= 0) {
            for (int j = 0; j < n; j++) {
                row[j] += bias[j];
            }
            return select(row, n, k, h, idx, val, off);
        }
        float[] hv = h.v;
        int[] hi = h.i;
        int c = 0;
        float thr = 0f;
        int lanes = Simd.L;
        int j = 0;
        for (int up = n - n % lanes; j < up; j += lanes) {
            if (Simd.addBiasAny(row, bias, j, thr)) {
                for (int t = j; t < j + lanes; t++) {
                    float a = row[t];
                    if (a > thr) {
                        c = offer(hv, hi, c, k, a, t);
                        thr = c == k ? hv[0] : 0f;
                    }
                }
            }
        }
        for (; j < n; j++) {
            float a = row[j] + bias[j];
            row[j] = a;
            if (a > thr) {
                c = offer(hv, hi, c, k, a, j);
                thr = c == k ? hv[0] : 0f;
            }
        }
        sortByIndex(hv, hi, c);
        System.arraycopy(hi, 0, idx, off, c);
        System.arraycopy(hv, 0, val, off, c);
        return c;
    }

    /**
     * Like {@link #selectWithBias} reading the row straight from native memory (no copy): the row
     * is n floats of pre from byte rowOff (pf is the same memory as floats, for the tail). SIMD only.
     */
    public static int selectNative(
            java.nio.ByteBuffer pre,
            java.nio.FloatBuffer pf,
            int rowOff,
            float[] bias,
            int n,
            int k,
            Heap h,
            int[] idx,
            float[] val,
            int off) {
        float[] hv = h.v;
        int[] hi = h.i;
        float[] block = h.block;
        int c = 0;
        float thr = 0f;
        int lanes = Simd.L;
        int j = 0;
        for (int up = n - n % lanes; j < up; j += lanes) {
            if (Simd.biasedAny(pre, rowOff + 4 * j, bias, j, thr, block)) {
                for (int t = 0; t < lanes; t++) {
                    float a = block[t];
                    if (a > thr) {
                        c = offer(hv, hi, c, k, a, j + t);
                        thr = c == k ? hv[0] : 0f;
                    }
                }
            }
        }
        for (; j < n; j++) {
            float a = pf.get(rowOff / 4 + j) + bias[j];
            if (a > thr) {
                c = offer(hv, hi, c, k, a, j);
                thr = c == k ? hv[0] : 0f;
            }
        }
        sortByIndex(hv, hi, c);
        System.arraycopy(hi, 0, idx, off, c);
        System.arraycopy(hv, 0, val, off, c);
        return c;
    }

    /** (v, i) ranks below (w, l): smaller value, or same value and higher index. */
    private static boolean worse(float v, int i, float w, int l) {
        return v < w || v == w && i > l;
    }

    private static int offer(float[] hv, int[] hi, int c, int k, float a, int j) {
        return offer(hv, hi, 0, c, k, a, j);
    }

    /** Offers (a, j) to the heap of c (of at most k) entries at hv/hi[base..]; returns the new size. */
    static int offer(float[] hv, int[] hi, int base, int c, int k, float a, int j) {
        if (c < k) {
            int p = c;
            while (p > 0) {
                int parent = (p - 1) >> 1;
                if (!worse(a, j, hv[base + parent], hi[base + parent])) {
                    break;
                }
                hv[base + p] = hv[base + parent];
                hi[base + p] = hi[base + parent];
                p = parent;
            }
            hv[base + p] = a;
            hi[base + p] = j;
            return c + 1;
        }
        int p = 0;
        while (true) {
            int l = 2 * p + 1;
            if (l >= k) {
                break;
            }
            int r = l + 1;
            int w = r < k && worse(hv[base + r], hi[base + r], hv[base + l], hi[base + l]) ? r : l;
            if (!worse(hv[base + w], hi[base + w], a, j)) {
                break;
            }
            hv[base + p] = hv[base + w];
            hi[base + p] = hi[base + w];
            p = w;
        }
        hv[base + p] = a;
        hi[base + p] = j;
        return c;
    }

    private static void sortByIndex(float[] hv, int[] hi, int c) {
        sortByIndex(hv, hi, 0, c);
    }

    /** Sorts the c entries at hv/hi[base..] by index. */
    static void sortByIndex(float[] hv, int[] hi, int base, int c) {
        for (int a = base + 1; a < base + c; a++) {
            int i = hi[a];
            float v = hv[a];
            int b = a - 1;
            while (b >= base && hi[b] > i) {
                hi[b + 1] = hi[b];
                hv[b + 1] = hv[b];
                b--;
            }
            hi[b + 1] = i;
            hv[b + 1] = v;
        }
    }
}
