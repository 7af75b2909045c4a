package topksae.kernel;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The AuxK products as four dense GEMMs restricted to the dead concepts' columns, for when the dead
 * set is at most about 12 times kAux: the selected values form A [rows, nDead] (zero elsewhere), then
 * AD = A Dd (Dd: the dead rows of the fused dictionary), G = dL/d(A Dd) row by row, dPre = (G Dd^T) at
 * the selected entries (P: zero elsewhere), gDd = A^T G and gWd = P^T X. The GEMMs run at BLAS speed;
 * the sparse path's gathers of whole dictionary rows run several times slower per multiply-add.
 * Buffers grow with the largest (rows, nDead) seen and are reused; no per-step allocation beyond views.
 */
final class AuxKDense {
    private final int d;
    private int capRows;
    private int capDead;
    private int rowsNow = -1;
    private int deadNow = -1;
    private DataBuffer aData;
    private DataBuffer pData;
    private DataBuffer ddData;
    private DataBuffer gdData;
    private DataBuffer gwData;
    private DataBuffer rData;
    private DataBuffer adData;
    private INDArray a;
    private INDArray p;
    private INDArray dd;
    private INDArray gd;
    private INDArray gw;
    private INDArray r;
    private INDArray ad;
    private FloatBuffer af;
    private FloatBuffer pf;
    private FloatBuffer rf;
    private FloatBuffer adf;
    /** Dead concept q's (q: position in the dead list) encoder and dictionary gradient at [q d, (q + 1) d). */
    float[] gWd;

    float[] gDd;
    /** Dead concept q's bias gradient, and whether some row selected it. */
    float[] gBd;

    boolean[] touched;

    AuxKDense(int d) {
        this.d = d;
    }

    /** Sizes the buffers and views for rows x nDead and packs the dead rows of fused into Dd. */
    void prepare(int rows, int nDead, int[] deadList, float[] fused) {
        if (rows > capRows || nDead > capDead) {
            capRows = Math.max(rows, capRows);
            capDead = Math.max(nDead, capDead);
            long rn = (long) capRows * capDead;
            aData = Nd4j.createBuffer(DataType.FLOAT, rn, false);
            pData = Nd4j.createBuffer(DataType.FLOAT, rn, false);
            ddData = Nd4j.createBuffer(DataType.FLOAT, (long) capDead * d, false);
            gdData = Nd4j.createBuffer(DataType.FLOAT, (long) capDead * d, false);
            gwData = Nd4j.createBuffer(DataType.FLOAT, (long) capDead * d, false);
            rData = Nd4j.createBuffer(DataType.FLOAT, (long) capRows * d, false);
            adData = Nd4j.createBuffer(DataType.FLOAT, (long) capRows * d, false);
            gWd = new float[capDead * d];
            gDd = new float[capDead * d];
            gBd = new float[capDead];
            touched = new boolean[capDead];
            rowsNow = -1;
        }
        if (rows != rowsNow || nDead != deadNow) {
            rowsNow = rows;
            deadNow = nDead;
            a = view(aData, rows, nDead);
            p = view(pData, rows, nDead);
            dd = view(ddData, nDead, d);
            gd = view(gdData, nDead, d);
            gw = view(gwData, nDead, d);
            r = view(rData, rows, d);
            ad = view(adData, rows, d);
            af = aData.asNioFloat();
            pf = pData.asNioFloat();
            rf = rData.asNioFloat();
            adf = adData.asNioFloat();
        }
        FloatBuffer df = ddData.asNioFloat();
        for (int q = 0; q < nDead; q++) {
            df.put(q * d, fused, deadList[q] * d, d);
        }
    }

    private static INDArray view(DataBuffer buf, int rows, int cols) {
        return Nd4j.create(buf, new long[] {rows, cols}, new long[] {cols, 1}, 0, 'c');
    }

    /** Row i of A (the c selected (dead position, value) pairs at idx/val[base..]) and of r = x - xHat. */
    void putRow(int i, int[] idx, float[] val, int base, int c, float[] x, int xo, float[] xh) {
        int nDead = deadNow;
        float[] ar = Scratch.floats(6, nDead);
        Arrays.fill(ar, 0, nDead, 0f);
        for (int s = 0; s < c; s++) {
            ar[idx[base + s]] = val[base + s];
        }
        af.put(i * nDead, ar, 0, nDead);
        float[] row = Scratch.floats(5, d);
        for (int t = 0; t < d; t++) {
            row[t] = x[xo + t] - xh[t];
        }
        rf.put(i * d, row, 0, d);
    }

    /**
     * After every row's {@link #putRow}: the loss terms and all gradients. x: the step's input [rows, d];
     * g2 = 2 alpha / (rows d). Fills dPre at the selected entries, gWd, gDd, gBd, touched; returns
     * {sum e^2, sum_i ga_i . (a_i D)}.
     */
    double[] finish(INDArray x, int[] idx, float[] val, float[] dPre, int[] cnt, int kAux, float g2) {
        int rows = rowsNow;
        int nDead = deadNow;
        Nd4j.gemm(a, dd, ad, false, false, 1.0, 0.0);
        int chunks = Par.chunks(rows, 16);
        double[] part = new double[2 * chunks];
        Par.range(rows, 16, (c, lo, hi) -> {
            float[] rr = Scratch.floats(5, d);
            float[] aa = Scratch.floats(4, d);
            double sse = 0;
            double gm = 0;
            for (int i = lo; i < hi; i++) {
                rf.get(i * d, rr, 0, d);
                adf.get(i * d, aa, 0, d);
                for (int t = 0; t < d; t++) {
                    float e = rr[t] - aa[t];
                    sse += e * e;
                    rr[t] = -g2 * e;
                }
                gm += Vec.dot(rr, 0, aa, 0, d);
                rf.put(i * d, rr, 0, d);
            }
            part[2 * c] = sse;
            part[2 * c + 1] = gm;
        });
        Nd4j.gemm(r, dd, p, false, true, 1.0, 0.0);
        Par.range(rows, 16, (c, lo, hi) -> {
            float[] pr = Scratch.floats(6, nDead);
            for (int i = lo; i < hi; i++) {
                int base = i * kAux;
                pf.get(i * nDead, pr, 0, nDead);
                for (int s = 0; s < cnt[i]; s++) {
                    dPre[base + s] = pr[idx[base + s]];
                }
                Arrays.fill(pr, 0, nDead, 0f);
                for (int s = 0; s < cnt[i]; s++) {
                    pr[idx[base + s]] = dPre[base + s];
                }
                pf.put(i * nDead, pr, 0, nDead);
            }
        });
        Arrays.fill(gBd, 0, nDead, 0f);
        Arrays.fill(touched, 0, nDead, false);
        for (int i = 0; i < rows; i++) {
            int base = i * kAux;
            for (int s = 0; s < cnt[i]; s++) {
                gBd[idx[base + s]] += dPre[base + s];
                touched[idx[base + s]] = true;
            }
        }
        Nd4j.gemm(a, r, gd, true, false, 1.0, 0.0);
        Nd4j.gemm(p, x, gw, true, false, 1.0, 0.0);
        gdData.asNioFloat().get(0, gDd, 0, nDead * d);
        gwData.asNioFloat().get(0, gWd, 0, nDead * d);
        double sse = 0;
        double gm = 0;
        for (int c = 0; c < chunks; c++) {
            sse += part[2 * c];
            gm += part[2 * c + 1];
        }
        return new double[] {sse, gm};
    }
}
