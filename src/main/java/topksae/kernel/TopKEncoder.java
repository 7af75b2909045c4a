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
    private int rowsNow = -1;
    private char order;
    private org.nd4j.linalg.api.buffer.DataBuffer preData;
    private org.nd4j.linalg.api.buffer.DataBuffer xData;
    private INDArray pre;
    private INDArray xBuf;
    float[] xa;
    int[] idx;
    float[] val;
    int[] cnt;
    private Bf16Gemm bf16;
    private FloatBuffer preFloats;

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

    public int k() {
        return k;
    }

    /**
     * Runs the GEMM with bf16 inputs (float32 output, {@link Bf16Gemm}) when on, else in float32. The
     * caller decides with {@link Precision#useBf16}; the output is then always row-major.
     */
    public TopKEncoder useBf16(boolean on) {
        bf16 = on ? (bf16 != null ? bf16 : new Bf16Gemm(n, d)) : null;
        cap = -1;
        rowsNow = -1;
        return this;
    }

    public boolean bf16() {
        return bf16 != null;
    }

    public int nbConcepts() {
        return n;
    }

    public int dim() {
        return d;
    }

    /** Buffers for rows rows: grown when needed, else views over the larger ones (no reallocation). */
    private void ensure(int rows) {
        if (rows == rowsNow) {
            return;
        }
        if (rows > cap) {
            cap = rows;
            order = bf16 != null ? 'c' : preOrder(rows, n);
            preData = Nd4j.createBuffer(DataType.FLOAT, (long) rows * n, false);
            xData = Nd4j.createBuffer(DataType.FLOAT, (long) rows * d, false);
            xa = new float[rows * d];
            idx = new int[rows * k];
            val = new float[rows * k];
            cnt = new int[rows];
        }
        rowsNow = rows;
        long[] strides = order == 'c' ? new long[] {n, 1} : new long[] {1, rows};
        pre = Nd4j.create(preData, new long[] {rows, n}, strides, 0, order);
        xBuf = Nd4j.create(xData, new long[] {rows, d}, new long[] {d, 1}, 0, 'c');
    }

    /**
     * Layout of the GEMM output: 'c' (row-major, scanned row by row), or with -Dtopksae.preOrder=f
     * column-major (scanned by {@link ColumnTopK}; its GEMM was up to ~10% cheaper in CPU time, its
     * scan about twice as expensive, in our measurements) when the buffer is under 2 GB.
     */
    static char preOrder(int rows, int n) {
        boolean small = 4L * rows * n < Integer.MAX_VALUE;
        return small && "f".equals(System.getProperty("topksae.preOrder")) ? 'f' : 'c';
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
        if (bf16 != null) {
            bf16.loadWeights(w);
            bf16.multiply(xBuf, pre);
        } else {
            Nd4j.gemm(xBuf, w, pre, false, true, 1.0, 0.0);
        }
        times.lap(1);
        preFloats = pre.data().asNioFloat();
        Native.view(b).get(0, bias, 0, n);
        if (order == 'f') {
            FloatBuffer pf = pre.data().asNioFloat();
            java.nio.ByteBuffer bytes = pre.data().asNio().order(java.nio.ByteOrder.nativeOrder());
            Par.range(
                    rows,
                    ColumnTopK.block(rows, Par.threads()),
                    (c, lo, hi) -> ColumnTopK.select(bytes, pf, rows, n, bias, k, lo, hi, idx, val, cnt));
            times.lap(2);
            return;
        }
        FloatBuffer pb = Native.view(pre);
        if (Vec.SIMD && k > 0 && (long) rows * n * 4 < Integer.MAX_VALUE) {
            java.nio.ByteBuffer bytes = Native.bytes(pre);
            Par.range(rows, ROW_GRAIN, (c, lo, hi) -> {
                RowTopK.Heap heap = new RowTopK.Heap(k);
                for (int i = lo; i < hi; i++) {
                    cnt[i] = RowTopK.selectNative(bytes, pb, i * n * 4, bias, n, k, heap, idx, val, i * k);
                }
            });
            times.lap(2);
            return;
        }
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

    /** The last run's input rows as a dense [rows, d] 'c' array (reused buffer). */
    INDArray input() {
        return xBuf;
    }

    /**
     * relu-less pre-activations of the last run's row i at columns cols[0..m): pre[i, c] + b[c] into out
     * (rowBuf: scratch of at least n floats).
     */
    void preAt(int i, int[] cols, int m, float[] out, float[] rowBuf) {
        FloatBuffer pb = preFloats;
        if (order == 'c' && 4 * m < n) {
            int o = i * n;
            for (int q = 0; q < m; q++) {
                out[q] = pb.get(o + cols[q]) + bias[cols[q]];
            }
            return;
        }
        if (order == 'c') {
            pb.get(i * n, rowBuf, 0, n);
            for (int q = 0; q < m; q++) {
                out[q] = rowBuf[cols[q]] + bias[cols[q]];
            }
            return;
        }
        for (int q = 0; q < m; q++) {
            out[q] = pb.get(cols[q] * rowsNow + i) + bias[cols[q]];
        }
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
