package topksae.io;

/**
 * A linear TopK SAE in the inference form shared by SAELens and sparsify:
 * {@code codes = topk(relu(W_enc (x - b_dec·applyBDecToInput) + b_enc))},
 * {@code x_hat = codes · W_dec + b_dec}. Matrices are row-major float32: {@code wEnc} is
 * [nbConcepts, dIn] (torch {@code nn.Linear} layout), {@code wDec} is [nbConcepts, dIn].
 * {@code metadata} is free text carried in the safetensors header (for example our model config).
 */
public record TopKWeights(
        int dIn,
        int nbConcepts,
        int k,
        float[] wEnc,
        float[] bEnc,
        float[] wDec,
        float[] bDec,
        boolean applyBDecToInput,
        java.util.Map<String, String> metadata) {

    public TopKWeights {
        if (dIn <= 0 || nbConcepts <= 0 || k <= 0 || k > nbConcepts) {
            throw new IllegalArgumentException("need dIn > 0, nbConcepts > 0 and 0 < k <= nbConcepts; got dIn=" + dIn
                    + " nbConcepts=" + nbConcepts + " k=" + k);
        }
        check("W_enc", wEnc, (long) nbConcepts * dIn);
        check("b_enc", bEnc, nbConcepts);
        check("W_dec", wDec, (long) nbConcepts * dIn);
        check("b_dec", bDec, dIn);
        metadata = java.util.Map.copyOf(metadata);
    }

    private static void check(String name, float[] v, long n) {
        if (v == null || v.length != n) {
            throw new IllegalArgumentException(
                    name + " needs " + n + " values, got " + (v == null ? "null" : v.length));
        }
    }

    /** True when the decoder bias is exactly zero everywhere (so the overcomplete form is exact). */
    public boolean hasZeroDecoderBias() {
        for (float v : bDec) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    /** {@code W_enc} transposed to [dIn, nbConcepts], the SAELens layout. */
    public float[] wEncTransposed() {
        return transpose(wEnc, nbConcepts, dIn);
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
