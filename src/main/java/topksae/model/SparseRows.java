package topksae.model;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decoder forward and backward that touch only the selected concepts of each token (gather /
 * scatter over dictionary rows) instead of dense GEMMs over every concept. float32, c-order only.
 */
final class SparseRows {
    /** Off switch, to compare with the dense path in tests. */
    static volatile boolean enabled = true;

    /** dL/d(activations), nonzero only at the selected entries, and dL/dD. */
    record Grads(INDArray activations, INDArray dictionary) {}

    private SparseRows() {}

    static boolean applicable(INDArray... arrays) {
        if (!enabled) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a != null && (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.isView())) {
                return false;
            }
        }
        return true;
    }

    /** xHat[r] = sum over j in idx[r] of z[r, j] D[j]. */
    static INDArray decode(INDArray z, int[][] idx, INDArray d) {
        int rows = idx.length;
        int dim = (int) d.columns();
        long n = z.columns();
        float[] out = new float[rows * dim];
        FloatBuffer zb = z.data().asNioFloat();
        FloatBuffer db = d.data().asNioFloat();
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] atom = new float[dim];
            int o = r * dim;
            for (int j : idx[r]) {
                float v = zb.get((int) (r * n + j));
                if (v != 0) {
                    db.get(j * dim, atom);
                    for (int c = 0; c < dim; c++) {
                        out[o + c] += v * atom[c];
                    }
                }
            }
        });
        return Nd4j.create(out, new long[] {rows, dim}, 'c');
    }

    /**
     * Backward of xHat = z D restricted to the selected entries: dL/dz at the selection is
     * gCodes + gXHat D^T there, dL/dD[j] = sum over tokens selecting j of z[r, j] gXHat[r].
     */
    static Grads backward(INDArray z, int[][] idx, INDArray d, INDArray gXHat, INDArray gCodes) {
        int rows = idx.length;
        int dim = (int) d.columns();
        int n = (int) z.columns();
        FloatBuffer zb = z.data().asNioFloat();
        FloatBuffer db = d.data().asNioFloat();
        FloatBuffer gx = gXHat.data().asNioFloat();
        FloatBuffer gc = gCodes == null ? null : gCodes.data().asNioFloat();
        float[][] gSel = new float[rows][];
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] g = new float[dim];
            float[] atom = new float[dim];
            gx.get(r * dim, g);
            float[] s = new float[idx[r].length];
            for (int i = 0; i < s.length; i++) {
                int j = idx[r][i];
                db.get(j * dim, atom);
                double dot = 0;
                for (int c = 0; c < dim; c++) {
                    dot += g[c] * atom[c];
                }
                s[i] = (float) dot + (gc == null ? 0f : gc.get(r * n + j));
            }
            gSel[r] = s;
        });
        INDArray gAct = Nd4j.zeros(DataType.FLOAT, rows, n);
        FloatBuffer ga = gAct.data().asNioFloat();
        float[][] acc = new float[(int) d.rows()][];
        float[] g = new float[dim];
        for (int r = 0; r < rows; r++) {
            gx.get(r * dim, g);
            for (int i = 0; i < idx[r].length; i++) {
                int j = idx[r][i];
                ga.put(r * n + j, gSel[r][i]);
                float v = zb.get(r * n + j);
                if (v != 0) {
                    float[] a = acc[j] == null ? (acc[j] = new float[dim]) : acc[j];
                    for (int c = 0; c < dim; c++) {
                        a[c] += v * g[c];
                    }
                }
            }
        }
        INDArray gD = Nd4j.zeros(DataType.FLOAT, d.rows(), dim);
        FloatBuffer gd = gD.data().asNioFloat();
        for (int j = 0; j < acc.length; j++) {
            if (acc[j] != null) {
                gd.put(j * dim, acc[j]);
            }
        }
        return new Grads(gAct, gD);
    }
}
