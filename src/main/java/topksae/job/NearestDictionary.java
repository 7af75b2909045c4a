package topksae.job;

import java.util.ArrayList;
import java.util.List;
import topksae.job.ReportData.Neighbour;

/** Nearest concepts of one concept by cosine similarity of dictionary rows, on the driver. */
final class NearestDictionary {
    private NearestDictionary() {}

    /** The rows scaled to unit length (zero rows stay zero), flattened row-major. */
    static float[] unitRows(float[][] dictionary) {
        int dim = dictionary.length == 0 ? 0 : dictionary[0].length;
        float[] flat = new float[dictionary.length * dim];
        for (int i = 0; i < dictionary.length; i++) {
            double sq = 0;
            for (float v : dictionary[i]) {
                sq += (double) v * v;
            }
            double inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
            for (int j = 0; j < dim; j++) {
                flat[i * dim + j] = (float) (dictionary[i][j] * inv);
            }
        }
        return flat;
    }

    /** The n most similar other concepts, most similar first, with their firing frequencies. */
    static List<Neighbour> nearest(float[] unit, int dim, int concept, int n, double[] frequency) {
        int rows = dim == 0 ? 0 : unit.length / dim;
        int k = Math.min(n, Math.max(0, rows - 1));
        int[] idx = new int[k];
        float[] val = new float[k];
        int size = 0;
        for (int j = 0; j < rows; j++) {
            if (j == concept) {
                continue;
            }
            float dot = 0;
            for (int i = 0; i < dim; i++) {
                dot += unit[concept * dim + i] * unit[j * dim + i];
            }
            if (size == k && (k == 0 || dot <= val[k - 1])) {
                continue;
            }
            int p = size < k ? size++ : k - 1;
            while (p > 0 && val[p - 1] < dot) {
                val[p] = val[p - 1];
                idx[p] = idx[p - 1];
                p--;
            }
            val[p] = dot;
            idx[p] = j;
        }
        List<Neighbour> out = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            out.add(new Neighbour(idx[r], val[r], frequency[idx[r]]));
        }
        return out;
    }
}
