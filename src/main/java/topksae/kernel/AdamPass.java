package topksae.kernel;

import java.nio.FloatBuffer;

/**
 * One torch.optim.Adam update (float32, torch 1.13 order of operations) of a parameter held in
 * native memory, its moments too, from a gradient in a Java array times the clipping coefficient.
 * Rows whose gradient is known to be zero are updated without reading a gradient.
 */
public final class AdamPass {
    private static final int GRAIN_ELEMS = 16384;
    private final float beta1;
    private final float oneMinusBeta1;
    private final float beta2;
    private final float oneMinusBeta2;
    private final float bc2Sqrt;
    private final float eps;
    private final float stepSize;

    /** Constants of step number {@code step} (1 for the first update). */
    public AdamPass(double lr, double beta1, double beta2, double eps, int step) {
        this.beta1 = (float) beta1;
        this.oneMinusBeta1 = (float) (1 - beta1);
        this.beta2 = (float) beta2;
        this.oneMinusBeta2 = (float) (1 - beta2);
        this.bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        this.eps = (float) eps;
        this.stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
    }

    /**
     * Updates an [n, d] parameter: row j uses g[j*d..] * coef when has[j], else a zero gradient.
     * p, m, v are views of the parameter and its two moments.
     */
    public void rows(FloatBuffer p, FloatBuffer m, FloatBuffer v, float[] g, boolean[] has, float coef, int n, int d) {
        rows(p, m, v, null, null, null, g, has, coef, n, d);
    }

    /**
     * As above; when byte views of the same three arrays are given (pb, mb, vb: whole buffers, the
     * arrays starting at byte 0) and SIMD is on, updates them in place without copies.
     */
    public void rows(
            FloatBuffer p,
            FloatBuffer m,
            FloatBuffer v,
            java.nio.ByteBuffer pb,
            java.nio.ByteBuffer mb,
            java.nio.ByteBuffer vb,
            float[] g,
            boolean[] has,
            float coef,
            int n,
            int d) {
        if (Vec.SIMD && pb != null) {
            simdRows(p, m, v, pb, mb, vb, g, has, coef, n, d);
            return;
        }
        int grain = Math.max(1, GRAIN_ELEMS / d);
        Par.range(n, grain, (c, lo, hi) -> {
            int len = (hi - lo) * d;
            int off = lo * d;
            float[] tp = Scratch.floats(1, len);
            float[] tm = Scratch.floats(2, len);
            float[] tv = Scratch.floats(3, len);
            p.get(off, tp, 0, len);
            m.get(off, tm, 0, len);
            v.get(off, tv, 0, len);
            for (int j = lo; j < hi; j++) {
                int o = (j - lo) * d;
                if (has == null || has[j]) {
                    update(tp, tm, tv, o, g, off + o, coef, d);
                } else {
                    updateZero(tp, tm, tv, o, d);
                }
            }
            p.put(off, tp, 0, len);
            m.put(off, tm, 0, len);
            v.put(off, tv, 0, len);
        });
    }

    private void simdRows(
            FloatBuffer p,
            FloatBuffer m,
            FloatBuffer v,
            java.nio.ByteBuffer pb,
            java.nio.ByteBuffer mb,
            java.nio.ByteBuffer vb,
            float[] g,
            boolean[] has,
            float coef,
            int n,
            int d) {
        int grain = Math.max(1, GRAIN_ELEMS / d);
        Par.range(n, grain, (c, lo, hi) -> {
            float[] tail = Scratch.floats(1, 3 * Simd.L);
            for (int j = lo; j < hi; j++) {
                boolean zero = has != null && !has[j];
                int done = Simd.adam(
                        pb,
                        mb,
                        vb,
                        4L * j * d,
                        zero ? null : g,
                        j * d,
                        d,
                        coef,
                        beta1,
                        oneMinusBeta1,
                        beta2,
                        oneMinusBeta2,
                        bc2Sqrt,
                        eps,
                        stepSize);
                int rest = d - done;
                if (rest > 0) {
                    int o = j * d + done;
                    p.get(o, tail, 0, rest);
                    m.get(o, tail, Simd.L, rest);
                    v.get(o, tail, 2 * Simd.L, rest);
                    if (zero) {
                        updateZeroTail(tail, rest);
                    } else {
                        updateTail(tail, g, o, coef, rest);
                    }
                    p.put(o, tail, 0, rest);
                    m.put(o, tail, Simd.L, rest);
                    v.put(o, tail, 2 * Simd.L, rest);
                }
            }
        });
    }

    private void updateTail(float[] s, float[] g, int go, float coef, int n) {
        for (int t = 0; t < n; t++) {
            float gi = g[go + t] * coef;
            float mi = s[Simd.L + t] * beta1 + oneMinusBeta1 * gi;
            float vi = s[2 * Simd.L + t] * beta2 + oneMinusBeta2 * gi * gi;
            s[Simd.L + t] = mi;
            s[2 * Simd.L + t] = vi;
            float den = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            s[t] = s[t] - stepSize * (mi / den);
        }
    }

    private void updateZeroTail(float[] s, int n) {
        for (int t = 0; t < n; t++) {
            float mi = s[Simd.L + t] * beta1;
            float vi = s[2 * Simd.L + t] * beta2;
            s[Simd.L + t] = mi;
            s[2 * Simd.L + t] = vi;
            float den = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            s[t] = s[t] - stepSize * (mi / den);
        }
    }

    private void update(float[] p, float[] m, float[] v, int o, float[] g, int go, float coef, int n) {
        for (int t = 0; t < n; t++) {
            float gi = g[go + t] * coef;
            float mi = m[o + t] * beta1 + oneMinusBeta1 * gi;
            float vi = v[o + t] * beta2 + oneMinusBeta2 * gi * gi;
            m[o + t] = mi;
            v[o + t] = vi;
            float den = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            p[o + t] = p[o + t] - stepSize * (mi / den);
        }
    }

    private void updateZero(float[] p, float[] m, float[] v, int o, int n) {
        for (int t = 0; t < n; t++) {
            float mi = m[o + t] * beta1;
            float vi = v[o + t] * beta2;
            m[o + t] = mi;
            v[o + t] = vi;
            float den = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            p[o + t] = p[o + t] - stepSize * (mi / den);
        }
    }
}
