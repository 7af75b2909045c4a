package topksae.kernel;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * pre = x W^T with bf16 inputs and float32 output through oneDNN: x [rows, d] and W [n, d] (dense
 * float32 'c' ND4J arrays, passed by address) are rounded to bf16 (round to nearest even, by oneDNN
 * reorders) into buffers allocated once, then one matmul writes pre [rows, n] (float32 'c'). The
 * primitives are built once per row count and reused. Not thread-safe: one per task (each has its
 * own oneDNN stream; the engine is shared).
 */
public final class Bf16Gemm {
    private static dnnl_engine engine;
    private final dnnl_stream stream = new dnnl_stream();
    private final int n;
    private final int d;
    private final ShortPointer wBf;
    private final dnnl_memory wSrc;
    private final dnnl_memory wDst;
    private final dnnl_primitive wReorder;
    private int rows = -1;
    private ShortPointer xBf;
    private dnnl_memory xSrc;
    private dnnl_memory xDst;
    private dnnl_memory out;
    private dnnl_primitive xReorder;
    private dnnl_primitive matmul;

    /** A product for weights [n, d]; call {@link Precision#bf16Available()} first. */
    public Bf16Gemm(int n, int d) {
        this.n = n;
        this.d = d;
        init();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
        wBf = new ShortPointer((long) n * d);
        // W [n, d] row-major is W^T [d, n] in layout ba: the matmul's weights without a transpose.
        wSrc = memory(md(new long[] {d, n}, dnnl_f32, dnnl_ba), null);
        wDst = memory(md(new long[] {d, n}, dnnl_bf16, dnnl_ba), wBf);
        wReorder = reorder(md(new long[] {d, n}, dnnl_f32, dnnl_ba), md(new long[] {d, n}, dnnl_bf16, dnnl_ba));
    }

    private static synchronized void init() {
        if (engine == null) {
            dnnl_engine e = new dnnl_engine();
            check(dnnl_engine_create(e, dnnl_cpu, 0), "engine");
            engine = e;
        }
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
        }
    }

    private static dnnl_memory_desc_t md(long[] dims, int type, int tag) {
        dnnl_memory_desc_t m = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(m, dims.length, dims, type, tag), "memory desc");
        return m;
    }

    private static dnnl_memory memory(dnnl_memory_desc_t md, Pointer handle) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, engine, handle), "memory");
        return m;
    }

    private static dnnl_primitive create(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "primitive");
        dnnl_primitive_desc_destroy(pd);
        return p;
    }

    private static dnnl_primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null), "reorder");
        return create(pd);
    }

    /** Builds the x reorder and the matmul for this row count (kept until it changes). */
    private void prepare(int r) {
        if (r == rows) {
            return;
        }
        release();
        rows = r;
        dnnl_memory_desc_t xF = md(new long[] {r, d}, dnnl_f32, dnnl_ab);
        dnnl_memory_desc_t xB = md(new long[] {r, d}, dnnl_bf16, dnnl_ab);
        dnnl_memory_desc_t wB = md(new long[] {d, n}, dnnl_bf16, dnnl_ba);
        dnnl_memory_desc_t o = md(new long[] {r, n}, dnnl_f32, dnnl_ab);
        xBf = new ShortPointer((long) r * d);
        xSrc = memory(xF, null);
        xDst = memory(xB, xBf);
        out = memory(o, null);
        xReorder = reorder(xF, xB);
        dnnl_matmul_desc_t desc = new dnnl_matmul_desc_t();
        check(dnnl_matmul_desc_init(desc, xB, wB, null, o), "matmul desc");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), null, engine, null), "matmul");
        matmul = create(pd);
    }

    private void release() {
        if (matmul != null) {
            dnnl_primitive_destroy(matmul);
            dnnl_primitive_destroy(xReorder);
            dnnl_memory_destroy(xSrc);
            dnnl_memory_destroy(xDst);
            dnnl_memory_destroy(out);
            xBf.deallocate();
        }
    }

    private void run(dnnl_primitive p, int a0, dnnl_memory m0, int a1, dnnl_memory m1, int a2, dnnl_memory m2) {
        int nArgs = m2 == null ? 2 : 3;
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(nArgs);
        args.position(0).arg(a0).memory(m0);
        args.position(1).arg(a1).memory(m1);
        if (m2 != null) {
            args.position(2).arg(a2).memory(m2);
        }
        args.position(0);
        check(dnnl_primitive_execute(p, stream, nArgs, args), "execute");
        check(dnnl_stream_wait(stream), "wait");
        args.deallocate();
    }

    /** Rounds W (a dense float32 'c' [n, d] array) into the bf16 weight buffer. */
    public void loadWeights(INDArray w) {
        check(w, n, d);
        check(dnnl_memory_set_data_handle(wSrc, w.data().addressPointer()), "handle");
        run(wReorder, DNNL_ARG_FROM, wSrc, DNNL_ARG_TO, wDst, 0, null);
    }

    /** pre = x W^T for the weights of the last {@link #loadWeights}; x [rows, d], pre [rows, n]. */
    public void multiply(INDArray x, INDArray pre) {
        int r = (int) x.rows();
        check(x, r, d);
        check(pre, r, n);
        prepare(r);
        check(dnnl_memory_set_data_handle(xSrc, x.data().addressPointer()), "handle");
        check(dnnl_memory_set_data_handle(out, pre.data().addressPointer()), "handle");
        run(xReorder, DNNL_ARG_FROM, xSrc, DNNL_ARG_TO, xDst, 0, null);
        run(matmul, DNNL_ARG_SRC, xDst, DNNL_ARG_WEIGHTS, wDst, DNNL_ARG_DST, out);
    }

    /**
     * a must be float32 [r, c], row-major with unit column stride, starting at its buffer's first
     * element: a whole array, or the leading rows of a larger buffer (how the encoder reuses its
     * buffers for a smaller batch).
     */
    private static void check(INDArray a, int r, int c) {
        boolean leadingRows = a.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT
                && a.rank() == 2
                && a.ordering() == 'c'
                && a.offset() == 0
                && a.stride(1) == 1
                && (r == 1 || a.stride(0) == c);
        if (a.rows() != r || a.columns() != c || !leadingRows) {
            throw new IllegalArgumentException(
                    "expected a dense float32 'c' [" + r + ", " + c + "] array, got " + a.shapeInfoToString());
        }
    }
}
