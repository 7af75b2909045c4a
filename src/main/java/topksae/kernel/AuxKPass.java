package topksae.kernel;

import java.util.Arrays;

/**
 * The AuxK term of Gao et al. (2024) inside the fused step, one row at a time: a_i = the kAux largest
 * relu(pre_i + b) among the dead concepts, e_i = r_i - a_i D with r_i = x_i - xHat_i a fixed target,
 * loss alpha * sum e^2 / (rows d). It reads the encoder's GEMM output (no second GEMM) and keeps, per row,
 * the selected (concept, value) pairs, dL/dpre at them and ga_i = dL/d(a_i D) = -2 alpha e_i / (rows d),
 * so the kernel's sparse backward adds the encoder and dictionary gradients of the touched concepts.
 */
final class AuxKPass {
    private final int n;
    private final int d;
    private final int kAux;
    private final int[] deadList;
    private int nDead;
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
    }

    int kAux() { return kAux; }

    /** Prepares a step over rows rows; false (and nothing to do) when no concept is dead. */
    boolean begin(boolean[] dead, int rows, double alpha) {
        nDead = 0;
        for (int j = 0; j < n; j++) {
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
        return true;
    }

    /**
     * Row i: selects, decodes with the fused dictionary, fills ga and dPre. x and xh are the row's input
     * and reconstruction. Returns {sum e^2, ga . (a_i D)} (the latter is the row's dL/dm share).
     */
    void row(int i, TopKEncoder enc, float[] x, int xo, float[] xh, float[] fused, RowTopK.Heap heap,
             double[] out) {
        float[] z = Scratch.floats(4, nDead);
        enc.preAt(i, deadList, nDead, z, Scratch.floats(6, n));
        int base = i * kAux;
        int c = RowTopK.select(z, nDead, kEff, heap, idx, val, base);
        for (int s = 0; s < c; s++) {
            idx[base + s] = deadList[idx[base + s]];
        }
        cnt[i] = c;
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
