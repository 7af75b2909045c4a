package topksae.kernel;

import java.util.Arrays;

/**
 * The AuxK term of Gao et al. (2024) inside the fused step, one row at a time: a_i = the kAux largest
 * relu(pre_i + b) among the dead concepts, e_i = r_i - a_i D with r_i = x_i - xHat_i a fixed target,
 * loss alpha * sum e^2 / (rows d). It reads the encoder's GEMM output (no second GEMM) and keeps, per row,
 * the selected (concept, value) pairs, dL/dpre at them and ga_i = dL/d(a_i D) = -2 alpha e_i / (rows d),
 * so the kernel's sparse backward adds the encoder and dictionary gradients of the touched concepts.
 * When the dead set is small against kAux ({@link #denseWhen}), the same products run as dense GEMMs over
 * the dead columns instead ({@link AuxKDense}): idx then holds positions in the dead list, and the
 * kernel adds the per-dead-concept gradients {@link AuxKDense#gWd} etc.
 */
final class AuxKPass {
    private final int n;
    private final int d;
    private final int kAux;
    /**
     * Dense GEMMs when nDead <= DENSE_RATIO * kEff (auto): up to there their extra multiply-adds cost less
     * than the sparse gathers (measured: dense cheaper at 5%, 10% and 30% of 16384 concepts dead with
     * kAux 512, i.e. up to nDead = 10.7 kAux).
     */
    static final double DENSE_RATIO = 12.0;

    final int[] deadList;
    int nDead;
    private AuxKDense denseOps;
    /** This step uses the dense products. */
    boolean dense;

    private int kEff;
    private float g2;
    int[] idx;
    float[] val;
    float[] dPre;
    int[] cnt;
    /** Row i's dL/d(a_i D) at [i d, (i + 1) d). */
    float[] ga;

    AuxKPass(int n, int d, int kAux) {
        this.n = n;
        this.d = d;
        this.kAux = Math.max(1, Math.min(kAux, n));
        this.deadList = new int[n];
        this.pos = new int[n];
    }

    /** pos[j]: concept j's position in the dead list, -1 when it is not dead (this step). */
    final int[] pos;

    int kAux() {
        return kAux;
    }

    /** Prepares a step over rows rows; false (and nothing to do) when no concept is dead. */
    boolean begin(boolean[] dead, int rows, double alpha) {
        nDead = 0;
        for (int j = 0; j < n; j++) {
            pos[j] = dead[j] ? nDead : -1;
            if (dead[j]) {
                deadList[nDead++] = j;
            }
        }
        if (nDead == 0 || alpha == 0) {
            return false;
        }
        kEff = Math.min(kAux, nDead);
        if (cnt == null || cnt.length < rows) {
            idx = new int[rows * kAux];
            val = new float[rows * kAux];
            dPre = new float[rows * kAux];
            cnt = new int[rows];
            ga = new float[rows * d];
        }
        g2 = (float) (alpha * 2.0 / ((double) rows * d));
        dense = denseWhen(nDead, kEff);
        if (dense) {
            denseOps = denseOps != null ? denseOps : new AuxKDense(d);
            denseOps.prepare(rows, nDead, deadList, fusedNow);
        }
        return true;
    }

    /**
     * The (up to) k largest positive z[0..m) by position, lower positions first among equals (as
     * {@link RowTopK}): positions and values to idx/val[base..] in increasing position order; returns how
     * many. Linear time: a quickselect finds the k-th largest value, one scan takes the entries.
     */
    static int selectDead(float[] z, int m, int k, float[] tmp, int[] idx, float[] val, int base) {
        int pos = 0;
        for (int q = 0; q < m; q++) {
            if (z[q] > 0f) {
                tmp[pos++] = z[q];
            }
        }
        if (pos <= k) {
            int c = 0;
            for (int q = 0; q < m; q++) {
                if (z[q] > 0f) {
                    idx[base + c] = q;
                    val[base + c++] = z[q];
                }
            }
            return c;
        }
        float t = kthSmallest(tmp, pos, pos - k);
        int above = 0;
        for (int q = 0; q < m; q++) {
            above += z[q] > t ? 1 : 0;
        }
        int ties = k - above;
        int c = 0;
        for (int q = 0; q < m && c < k; q++) {
            float v = z[q];
            if (v > t || v == t && ties-- > 0) {
                idx[base + c] = q;
                val[base + c++] = v;
            }
        }
        return c;
    }

    /** The r-th smallest (0-based) of a[0..len), reordering a (Hoare's selection). */
    static float kthSmallest(float[] a, int len, int r) {
        int lo = 0;
        int hi = len - 1;
        while (lo < hi) {
            float x = a[lo];
            float y = a[(lo + hi) >>> 1];
            float w = a[hi];
            float pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), w));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float tmp = a[i];
                    a[i++] = a[j];
                    a[j--] = tmp;
                }
            }
            if (r <= j) {
                hi = j;
            } else if (r >= i) {
                lo = i;
            } else {
                return a[r];
            }
        }
        return a[r];
    }

    private float[] fusedNow;

    /** The fused dictionary of the coming step (read by the dense path's packing). */
    void fused(float[] f) {
        fusedNow = f;
    }

    /** Whether a step with nDead dead concepts and kEff selected per row takes the dense GEMMs. */
    static boolean denseWhen(int nDead, int kEff) {
        String mode = System.getProperty("topksae.auxkPath", "auto");
        return switch (mode) {
            case "dense" -> true;
            case "sparse" -> false;
            default -> nDead <= DENSE_RATIO * kEff;
        };
    }

    AuxKDense denseOps() {
        return denseOps;
    }

    /** Dense path, after every row: the loss terms and gradients (see {@link AuxKDense#finish}). */
    double[] finishDense(org.nd4j.linalg.api.ndarray.INDArray x, int rows) {
        return denseOps.finish(x, idx, val, dPre, cnt, kAux, g2);
    }

    /**
     * Row i: selects, decodes with the fused dictionary, fills ga and dPre. x and xh are the row's input
     * and reconstruction. Returns {sum e^2, ga . (a_i D)} (the latter is the row's dL/dm share).
     */
    void row(int i, TopKEncoder enc, float[] x, int xo, float[] xh, float[] fused, double[] out) {
        float[] z = Scratch.floats(4, nDead);
        enc.preAt(i, deadList, nDead, z, Scratch.floats(6, n));
        int base = i * kAux;
        int c = selectDead(z, nDead, kEff, Scratch.floats(7, nDead), idx, val, base);
        cnt[i] = c;
        if (dense) {
            denseOps.putRow(i, idx, val, base, c, x, xo, xh);
            out[0] = 0;
            out[1] = 0;
            return;
        }
        for (int s = 0; s < c; s++) {
            idx[base + s] = deadList[idx[base + s]];
        }
        float[] ad = Scratch.floats(5, d);
        Arrays.fill(ad, 0, d, 0f);
        for (int s = 0; s < c; s++) {
            Vec.axpy(val[base + s], fused, idx[base + s] * d, ad, 0, d);
        }
        double sse = 0;
        int go = i * d;
        for (int t = 0; t < d; t++) {
            float e = x[xo + t] - xh[t] - ad[t];
            sse += e * e;
            ga[go + t] = -g2 * e;
        }
        out[0] = sse;
        out[1] = Vec.dot(ga, go, ad, 0, d);
        for (int s = 0; s < c; s++) {
            dPre[base + s] = Vec.dot(ga, go, fused, idx[base + s] * d, d);
        }
    }
}
