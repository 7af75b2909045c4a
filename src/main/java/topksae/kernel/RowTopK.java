package topksae.kernel;

/**
 * Top-k of relu(row) without sorting the row: one scan against the current k-th value (a min-heap
 * of k entries), in blocks whose maximum is checked first. Only positive values are selected, so a
 * row with fewer than k positives gives fewer entries (the other codes are 0 either way). Among equal
 * values at the boundary the lower indices win, as in the exact path. The output is sorted by index.
 */
public final class RowTopK {
    private static final int BLOCK = 16;

    private RowTopK() { }

    /** Scratch for one thread: the heap of k (value, index) pairs. */
    public static final class Heap {
        final float[] v;
        final int[] i;

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
    public static int selectWithBias(float[] row, float[] bias, int n, int k, Heap h, int[] idx, float[] val,
                                     int off) {
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

    /** (v, i) ranks below (w, l): smaller value, or same value and higher index. */
    private static boolean worse(float v, int i, float w, int l) {
        return v < w || v == w && i > l;
    }

    private static int offer(float[] hv, int[] hi, int c, int k, float a, int j) {
        if (c < k) {
            int p = c;
            while (p > 0) {
                int parent = (p - 1) >> 1;
                if (!worse(a, j, hv[parent], hi[parent])) {
                    break;
                }
                hv[p] = hv[parent];
                hi[p] = hi[parent];
                p = parent;
            }
            hv[p] = a;
            hi[p] = j;
            return c + 1;
        }
        int p = 0;
        while (true) {
            int l = 2 * p + 1;
            if (l >= k) {
                break;
            }
            int r = l + 1;
            int w = r < k && worse(hv[r], hi[r], hv[l], hi[l]) ? r : l;
            if (!worse(hv[w], hi[w], a, j)) {
                break;
            }
            hv[p] = hv[w];
            hi[p] = hi[w];
            p = w;
        }
        hv[p] = a;
        hi[p] = j;
        return c;
    }

    private static void sortByIndex(float[] hv, int[] hi, int c) {
        for (int a = 1; a < c; a++) {
            int i = hi[a];
            float v = hv[a];
            int b = a - 1;
            while (b >= 0 && hi[b] > i) {
                hi[b + 1] = hi[b];
                hv[b + 1] = hv[b];
                b--;
            }
            hi[b + 1] = i;
            hv[b + 1] = v;
        }
    }
}
