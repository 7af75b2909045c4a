package topksae.kernel;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused TopK SAE training step for a linear encoder pre = x W^T + b, codes = top-k(relu(pre)),
 * xHat = codes (normalize(D) exp(m)), MSE loss, clip_grad_norm_ and Adam, on the live parameter
 * arrays. One dense GEMM per step; everything else touches only the k selected concepts per token
 * (O(batch k dim)) or each parameter once (O(params)). Buffers are allocated once per batch size.
 */
public final class SparseLinearKernel {
    /** Loss, reconstruction error and activity of one step (the inputs of the step statistics). */
    public static final class Result {
        public int tokens;
        public double loss;
        public double sse;
        public double sumSqX;
        public double[] sumX;
        public double l0Sum;
        public long[] fires;
        /** Total gradient norm before clipping. */
        public double gradNorm;
        /** The AuxK term of the loss (alpha * its mse; included in loss), 0 without AuxK. */
        public double auxLoss;
    }

    /** Adam settings of one step; {@code step} is the 1-based update number. */
    public record Hyper(double lr, double beta1, double beta2, double eps, double clip, int step) {}

    private static final int ROW_GRAIN = 16;
    private static final int CONCEPT_GRAIN = 32;
    private final INDArray w;
    private final INDArray b;
    private final INDArray dict;
    private final INDArray mult;
    private final boolean trainMult;
    private final DictNorm.Kind norm;
    private final int d;
    private final int n;
    private final int k;
    private final PhaseTimes times = new PhaseTimes();

    private final TopKEncoder enc;
    private int cap = -1;
    private float[] xa;
    /** Per token i: x_i at [2 d i, 2 d i + d), dL/dxHat_i at [2 d i + d, 2 d (i + 1)) (one run per token). */
    private float[] xg;

    private int[] idx;
    private float[] val;
    private float[] dPre;
    private int[] cnt;
    private int[] entries;
    private final int[] start;
    private final boolean[] has;
    private final int[] fillPos;
    private final float[] fused;
    private final float[] gW;
    private final float[] gD;
    private final float[] gB;
    private AuxKPass aux;
    private boolean auxOn;
    /** This step's AuxK runs as dense GEMMs over the dead columns: its gradients come per dead concept. */
    private boolean auxDense;

    private boolean project;

    /**
     * w [n, d] and b [n]: the encoder Linear; dict [n, d]: the dictionary weights; mult: the
     * multiplier scalar (null means exp(0)); trainMult: whether it is a trained parameter.
     */
    public SparseLinearKernel(
            INDArray w, INDArray b, INDArray dict, INDArray mult, boolean trainMult, DictNorm.Kind norm, int k) {
        this.w = w;
        this.b = b;
        this.dict = dict;
        this.mult = mult;
        this.trainMult = trainMult && mult != null;
        this.norm = norm;
        this.n = (int) w.rows();
        this.d = (int) w.columns();
        this.k = Math.min(k, n);
        check(w, n, d);
        check(dict, n, d);
        if (b.length() != n) {
            throw new IllegalArgumentException("bias length " + b.length() + " != " + n);
        }
        Native.view(b);
        start = new int[n + 1];
        has = new boolean[n];
        fillPos = new int[n];
        fused = new float[n * d];
        gW = new float[n * d];
        gD = new float[n * d];
        gB = new float[n];
        enc = new TopKEncoder(w, b, k);
    }

    private static void check(INDArray a, int n, int d) {
        if (a.rows() != n || a.columns() != d || !Native.denseC(a) && a.offset() != 0) {
            throw new IllegalArgumentException("expected a dense float32 [" + n + ", " + d + "] array");
        }
        Native.view(a);
    }

    public PhaseTimes times() {
        return times;
    }

    /** The last step's gradients before clipping (rows j with {@link #touched} j only; tests). */
    float[] gradW() {
        return gW;
    }

    float[] gradD() {
        return gD;
    }

    float[] gradB() {
        return gB;
    }

    /** Whether concept j got a gradient in the last step. */
    boolean touched(int j) {
        return has[j];
    }

    public int k() {
        return k;
    }

    /** Encoder GEMM in bf16 (float32 output) when on; everything else stays float32. */
    public void useBf16(boolean on) {
        enc.useBf16(on);
    }

    public boolean bf16() {
        return enc.bf16();
    }

    /** Enables the paper AuxK with kAux concepts per row (0 = off); each step then takes the dead set. */
    public void auxK(int kAux) {
        aux = kAux > 0 ? new AuxKPass(n, d, kAux) : null;
        cap = -1;
    }

    /**
     * Whether a step with nDead dead concepts computes AuxK (kAux per row) as dense GEMMs over the dead
     * columns rather than sparse gathers: -Dtopksae.auxkPath=dense|sparse, else (auto) when nDead is at
     * most 12 times kAux.
     */
    public static boolean auxKDense(int nDead, int kAux) {
        return nDead > 0 && AuxKPass.denseWhen(nDead, Math.min(kAux, nDead));
    }

    /** Removes from each dictionary row's gradient its component along the row, before clipping and Adam. */
    public void decoderGradProjection(boolean on) {
        project = on;
    }

    private void ensure(int rows) {
        if (rows <= cap) {
            return;
        }
        cap = rows;
        xg = new float[2 * rows * d];
        dPre = new float[rows * k];
        entries = new int[rows * (k + (aux == null ? 0 : aux.kAux()))];
    }

    /** Sparse top-k codes of x (inference; the dictionary is not read). */
    public SparseCodes encodeSparse(INDArray x) {
        return enc.encode(x);
    }

    /** One full training step on tokens x [batch, d], with the Adam moments in parameter order. */
    public Result step(INDArray x, INDArray[] m, INDArray[] v, Hyper h) {
        return step(x, m, v, h, null, 0);
    }

    /**
     * As {@link #step(INDArray, INDArray[], INDArray[], Hyper)} plus, when {@link #auxK} is on and some
     * concept is dead[j], the AuxK term alpha * mse(r, a D) (see {@link AuxKPass}).
     */
    public Result step(INDArray x, INDArray[] m, INDArray[] v, Hyper h, boolean[] dead, double alpha) {
        int rows = (int) x.rows();
        ensure(rows);
        times.start();
        float scale = mult == null ? 1f : (float) Math.exp(mult.getFloat(0));
        DictNorm.apply(Native.view(dict), n, d, norm, scale, fused);
        times.lap(0);
        enc.run(x, times);
        xa = enc.xa;
        idx = enc.idx;
        val = enc.val;
        cnt = enc.cnt;
        Result r = new Result();
        r.tokens = rows;
        if (aux != null) {
            aux.fused(fused);
        }
        auxOn = aux != null && dead != null && aux.begin(dead, rows, alpha);
        auxDense = auxOn && aux.dense;
        double multGrad = decode(rows, r, alpha);
        times.lap(3);
        r.fires = new long[n];
        double sq = backward(rows, scale, r.fires) + (trainMult ? multGrad * multGrad : 0);
        r.gradNorm = Math.sqrt(sq);
        times.lap(4);
        float coef = h.clip() > 0 ? (float) Math.min(1.0, h.clip() / (r.gradNorm + 1e-6)) : 1f;
        AdamPass adam = new AdamPass(h.lr(), h.beta1(), h.beta2(), h.eps(), h.step());
        update(adam, w, m[0], v[0], gW, has, coef, n, d);
        update(adam, b, m[1], v[1], gB, null, coef, n, 1);
        update(adam, dict, m[2], v[2], gD, has, coef, n, d);
        if (trainMult) {
            adam.rows(
                    Native.view(mult),
                    Native.view(m[3]),
                    Native.view(v[3]),
                    new float[] {(float) multGrad},
                    null,
                    coef,
                    1,
                    1);
        }
        times.lap(5);
        times.endStep();
        return r;
    }

    private static void update(
            AdamPass adam, INDArray p, INDArray m, INDArray v, float[] g, boolean[] has, float coef, int n, int d) {
        boolean direct = p.offset() == 0 && m.offset() == 0 && v.offset() == 0 && 4L * p.length() < Integer.MAX_VALUE;
        adam.rows(
                Native.view(p),
                Native.view(m),
                Native.view(v),
                direct ? Native.bytes(p) : null,
                direct ? Native.bytes(m) : null,
                direct ? Native.bytes(v) : null,
                g,
                has,
                coef,
                n,
                d);
    }

    /** xHat, the loss, x and dL/dxHat (into xg) and dL/dpre at the selected entries; returns dL/dm. */
    private double decode(int rows, Result r, double alpha) {
        int chunks = Par.chunks(rows, ROW_GRAIN);
        double[] part = new double[chunks * 5];
        double[][] sumX = new double[chunks][];
        float g2 = (float) (2.0 / ((double) rows * d));
        Par.range(rows, ROW_GRAIN, (c, lo, hi) -> {
            float[] xh = Scratch.floats(0, d);
            double sse = 0, gm = 0, l0 = 0, sq = 0, auxSse = 0;
            double[] sx = new double[d];
            double[] auxOut = new double[2];
            for (int i = lo; i < hi; i++) {
                Arrays.fill(xh, 0, d, 0f);
                int base = i * k;
                for (int s = 0; s < cnt[i]; s++) {
                    Vec.axpy(val[base + s], fused, idx[base + s] * d, xh, 0, d);
                    l0 += val[base + s] >= 1e-6f ? 1 : 0;
                }
                int xo = i * d;
                for (int t = 0; t < d; t++) {
                    float x = xa[xo + t];
                    xg[2 * xo + t] = x;
                    float e = xh[t] - x;
                    sse += e * e;
                    sq += x * x;
                    sx[t] += x;
                    xg[2 * xo + d + t] = g2 * e;
                }
                gm += Vec.dot(xg, 2 * xo + d, xh, 0, d);
                for (int s = 0; s < cnt[i]; s++) {
                    dPre[base + s] = Vec.dot(xg, 2 * xo + d, fused, idx[base + s] * d, d);
                }
                if (auxOn) {
                    aux.row(i, enc, xa, xo, xh, fused, auxOut);
                    auxSse += auxOut[0];
                    gm += auxOut[1];
                }
            }
            part[5 * c] = sse;
            part[5 * c + 1] = gm;
            part[5 * c + 2] = l0;
            part[5 * c + 3] = sq;
            part[5 * c + 4] = auxSse;
            sumX[c] = sx;
        });
        double gm = 0;
        double auxSse = 0;
        if (auxDense) {
            double[] o = aux.finishDense(enc.input(), rows);
            auxSse += o[0];
            gm += o[1];
        }
        r.sumX = new double[d];
        for (int c = 0; c < chunks; c++) {
            r.sse += part[5 * c];
            gm += part[5 * c + 1];
            r.l0Sum += part[5 * c + 2];
            r.sumSqX += part[5 * c + 3];
            auxSse += part[5 * c + 4];
            for (int t = 0; t < d; t++) {
                r.sumX[t] += sumX[c][t];
            }
        }
        r.auxLoss = alpha * auxSse / ((double) rows * d);
        r.loss = r.sse / ((double) rows * d) + r.auxLoss;
        return gm;
    }

    /**
     * Groups the selected entries by concept (counting sort, rows in order): entry e < rows k is the top-k
     * slot e, entry rows k + a the AuxK slot a. fires gets each concept's top-k entries.
     */
    private void groupByConcept(int rows, long[] fires) {
        Arrays.fill(start, 0);
        for (int i = 0; i < rows; i++) {
            for (int s = 0; s < cnt[i]; s++) {
                start[idx[i * k + s] + 1]++;
            }
        }
        for (int j = 0; j < n; j++) {
            fires[j] = start[j + 1];
        }
        boolean auxEntries = auxOn && !auxDense;
        int ka = auxOn ? aux.kAux() : 0;
        for (int i = 0; auxEntries && i < rows; i++) {
            for (int s = 0; s < aux.cnt[i]; s++) {
                start[aux.idx[i * ka + s] + 1]++;
            }
        }
        for (int j = 0; j < n; j++) {
            start[j + 1] += start[j];
            has[j] = start[j + 1] > start[j] || auxDense && aux.pos[j] >= 0 && aux.denseOps().touched[aux.pos[j]];
        }
        int[] fill = fillPos;
        System.arraycopy(start, 0, fill, 0, n);
        for (int i = 0; i < rows; i++) {
            for (int s = 0; s < cnt[i]; s++) {
                entries[fill[idx[i * k + s]]++] = i * k + s;
            }
        }
        int auxBase = rows * k;
        for (int i = 0; auxEntries && i < rows; i++) {
            for (int s = 0; s < aux.cnt[i]; s++) {
                entries[fill[aux.idx[i * ka + s]]++] = auxBase + i * ka + s;
            }
        }
    }

    /**
     * dW, db and dD rows of the concepts that fired (or took part in AuxK); returns their squared norm.
     * fires gets each concept's top-k count.
     */
    private double backward(int rows, float scale, long[] fires) {
        groupByConcept(rows, fires);
        int mainEnd = rows * k;
        int ka = auxOn ? aux.kAux() : 1;
        double[] part = new double[Par.chunks(n, CONCEPT_GRAIN)];
        Par.range(n, CONCEPT_GRAIN, (c, lo, hi) -> {
            double sq = 0;
            for (int j = lo; j < hi; j++) {
                gB[j] = 0f;
                if (!has[j]) {
                    continue;
                }
                int o = j * d;
                float gb = 0f;
                for (int q = start[j]; q < start[j + 1]; q++) {
                    int e = entries[q];
                    boolean main = e < mainEnd;
                    int row = main ? e / k : (e - mainEnd) / ka;
                    float dp = main ? dPre[e] : aux.dPre[e - mainEnd];
                    float v = main ? val[e] : aux.val[e - mainEnd];
                    float[] g = main ? xg : aux.ga;
                    int go = main ? 2 * row * d + d : row * d;
                    int xo = 2 * row * d;
                    if (q == start[j]) {
                        Vec.scale(dp, xg, xo, gW, o, d);
                        Vec.scale(v, g, go, gD, o, d);
                    } else {
                        Vec.axpy(dp, xg, xo, gW, o, d);
                        Vec.axpy(v, g, go, gD, o, d);
                    }
                    gb += dp;
                }
                if (auxDense && aux.pos[j] >= 0 && aux.denseOps().touched[aux.pos[j]]) {
                    gb += addDense(aux.pos[j], o, start[j] == start[j + 1]);
                }
                if (scale != 1f) {
                    Vec.scale(scale, gD, o, gD, o, d);
                }
                if (project) {
                    projectOut(gD, fused, o, d);
                }
                gB[j] = gb;
                sq += Vec.sumSq(gW, o, d) + Vec.sumSq(gD, o, d) + (double) gb * gb;
            }
            part[c] = sq;
        });
        double sq = 0;
        for (double p : part) {
            sq += p;
        }
        return sq;
    }

    /** Adds (or, when first, copies) dead concept q's dense AuxK gradients at row offset o; returns its db. */
    private float addDense(int q, int o, boolean first) {
        AuxKDense ops = aux.denseOps();
        if (first) {
            System.arraycopy(ops.gWd, q * d, gW, o, d);
            System.arraycopy(ops.gDd, q * d, gD, o, d);
        } else {
            Vec.axpy(1f, ops.gWd, q * d, gW, o, d);
            Vec.axpy(1f, ops.gDd, q * d, gD, o, d);
        }
        return ops.gBd[q];
    }

    /** g[o, o + d) minus its component along w[o, o + d). */
    static void projectOut(float[] g, float[] w, int o, int d) {
        double ww = Vec.sumSq(w, o, d);
        if (ww > 0) {
            Vec.axpy((float) (-Vec.dot(g, o, w, o, d) / ww), w, o, g, o, d);
        }
    }
}
