package topksae.kernel;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * pre = x W^T by one GEMM into a reused buffer, then per row the top-k of relu(pre + b), in
 * parallel over rows. The selection of the last batch stays in idx/val/cnt (row i at i*k).
 */
public final class TopKEncoder {
    private static final int ROW_GRAIN = 16;
    private final INDArray w;
    private final INDArray b;
    private final int n;
    private final int d;
    private final int k;
    private final float[] bias;
    private int cap = -1;
    private INDArray pre;
    private INDArray xBuf;
    float[] xa;
    int[] idx;
    float[] val;
    int[] cnt;

    /** w [n, d] and b [n] of the encoder Linear (live arrays: read at every call). */
    public TopKEncoder(INDArray w, INDArray b, int k) {
        this.w = w;
        this.b = b;
        this.n = (int) w.rows();
        this.d = (int) w.columns();
        this.k = Math.min(k, n);
        if (b.length() != n || w.dataType() != DataType.FLOAT || !Native.denseC(w)) {
            throw new IllegalArgumentException("need a dense float32 weight [n, d] and bias [n]");
        }
        Native.view(b);
        bias = new float[n];
    }

    public int k() { return k; }

    public int nbConcepts() { return n; }

    public int dim() { return d; }

    private void ensure(int rows) {
        if (rows == cap) {
            return;
        }
        cap = rows;
        pre = Nd4j.create(DataType.FLOAT, new long[] {rows, n}, 'c');
        xBuf = Nd4j.create(DataType.FLOAT, new long[] {rows, d}, 'c');
        xa = new float[rows * d];
        idx = new int[rows * k];
        val = new float[rows * k];
        cnt = new int[rows];
    }

    /** Stages x (into xa too), runs the GEMM (times phase 1) and the top-k (phase 2). */
    public void run(INDArray x, PhaseTimes times) {
        int rows = (int) x.rows();
        if (x.rank() != 2 || x.columns() != d) {
            throw new IllegalArgumentException("x must be [batch, " + d + "]");
        }
        ensure(rows);
        Native.view(Native.dense(x)).get(0, xa, 0, rows * d);
        Native.view(xBuf).put(0, xa, 0, rows * d);
        Nd4j.gemm(xBuf, w, pre, false, true, 1.0, 0.0);
        times.lap(1);
        FloatBuffer pb = Native.view(pre);
        Native.view(b).get(0, bias, 0, n);
        Par.range(rows, ROW_GRAIN, (c, lo, hi) -> {
            float[] row = Scratch.floats(0, n);
            RowTopK.Heap heap = new RowTopK.Heap(k);
            for (int i = lo; i < hi; i++) {
                pb.get(i * n, row, 0, n);
                cnt[i] = RowTopK.selectWithBias(row, bias, n, k, heap, idx, val, i * k);
            }
        });
        times.lap(2);
    }

    /** Sparse top-k codes of x (fresh arrays; unused slots have index -1 and value 0). */
    public SparseCodes encode(INDArray x) {
        PhaseTimes t = new PhaseTimes();
        t.start();
        run(x, t);
        int rows = (int) x.rows();
        int[] outIdx = new int[rows * k];
        float[] outVal = new float[rows * k];
        Arrays.fill(outIdx, -1);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(idx, i * k, outIdx, i * k, cnt[i]);
            System.arraycopy(val, i * k, outVal, i * k, cnt[i]);
        }
        return new SparseCodes(rows, k, n, outIdx, outVal, Arrays.copyOf(cnt, rows));
    }
}
