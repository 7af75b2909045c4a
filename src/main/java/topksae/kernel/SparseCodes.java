package topksae.kernel;

/**
 * Top-k codes of a batch in sparse form: row r holds counts[r] entries at positions
 * [r*k, r*k + counts[r]) of idx (increasing concept indices) and vals (positive values).
 */
public final class SparseCodes {
    public final int rows;
    public final int k;
    public final int nbConcepts;
    public final int[] idx;
    public final float[] vals;
    public final int[] counts;

    public SparseCodes(int rows, int k, int nbConcepts, int[] idx, float[] vals, int[] counts) {
        this.rows = rows;
        this.k = k;
        this.nbConcepts = nbConcepts;
        this.idx = idx;
        this.vals = vals;
        this.counts = counts;
    }

    /** Row r as a dense array of nbConcepts values. */
    public float[] denseRow(int r) {
        float[] out = new float[nbConcepts];
        for (int s = 0; s < counts[r]; s++) {
            out[idx[r * k + s]] = vals[r * k + s];
        }
        return out;
    }
}
