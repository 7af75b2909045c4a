package topksae.kernel;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Per-row top-k of relu(pre + b) when pre [rows, n] is stored column-major ('f' order, the
 * faster GEMM output): a block of rows is scanned concept by concept, one contiguous run of the
 * block's rows per concept, with a vector compare against the rows' current k-th values. Rows see
 * their concepts in increasing order, so the result is exactly {@link RowTopK#select}'s.
 */
public final class ColumnTopK {
    private ColumnTopK() {}

    /** Row-block size for rows rows on this many threads: a multiple of 16, at most 1024. */
    public static int block(int rows, int threads) {
        int b = (rows + 2 * threads - 1) / (2 * threads);
        b = (b + 15) / 16 * 16;
        return Math.max(16, Math.min(1024, b));
    }

    /**
     * Selects for rows [lo, hi) of pre (column-major, column stride {@code rows}); writes row i's
     * entries, sorted by index, at idx/val[i*k..] and their number at cnt[i].
     */
    public static void select(
            ByteBuffer pre,
            FloatBuffer pf,
            int rows,
            int n,
            float[] bias,
            int k,
            int lo,
            int hi,
            int[] idx,
            float[] val,
            int[] cnt) {
        int len = hi - lo;
        float[] hv = Scratch.floats(4, len * k);
        int[] hi2 = Scratch.ints(len * k);
        float[] thr = Scratch.floats(5, len + 64);
        int[] c = Scratch.ints2(len);
        java.util.Arrays.fill(thr, 0, len + 64, 0f);
        java.util.Arrays.fill(c, 0, len, 0);
        float[] block = Scratch.floats(6, 64);
        int lanes = Vec.SIMD ? Simd.L : 1;
        int vecEnd = Vec.SIMD ? len - len % lanes : 0;
        for (int j = 0; j < n; j++) {
            float b = bias[j];
            int col = j * rows + lo;
            for (int r = 0; r < vecEnd; r += lanes) {
                if (Simd.columnAny(pre, 4 * (col + r), b, thr, r, block)) {
                    for (int t = 0; t < lanes; t++) {
                        float a = block[t];
                        if (a > thr[r + t]) {
                            offer(hv, hi2, thr, c, r + t, k, a, j);
                        }
                    }
                }
            }
            for (int r = vecEnd; r < len; r++) {
                float a = pf.get(col + r) + b;
                if (a > thr[r]) {
                    offer(hv, hi2, thr, c, r, k, a, j);
                }
            }
        }
        for (int r = 0; r < len; r++) {
            RowTopK.sortByIndex(hv, hi2, r * k, c[r]);
            int i = lo + r;
            System.arraycopy(hi2, r * k, idx, i * k, c[r]);
            System.arraycopy(hv, r * k, val, i * k, c[r]);
            cnt[i] = c[r];
        }
    }

    private static void offer(float[] hv, int[] hi, float[] thr, int[] c, int r, int k, float a, int j) {
        c[r] = RowTopK.offer(hv, hi, r * k, c[r], k, a, j);
        thr[r] = c[r] == k ? hv[r * k] : 0f;
    }
}
