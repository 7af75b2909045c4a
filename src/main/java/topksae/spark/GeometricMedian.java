package topksae.spark;

/**
 * The geometric median (the point minimizing the sum of Euclidean distances) of rows, by
 * Weiszfeld's iteration y = sum(x_i / d_i) / sum(1 / d_i), d_i = |x_i - y|, from a start point
 * (the mean). A row closer than EPS to y is given distance EPS, so the iteration stays defined.
 */
final class GeometricMedian {
    static final int MAX_ITERATIONS = 200;
    static final double TOLERANCE = 1e-7;
    private static final double EPS = 1e-12;

    private GeometricMedian() {}

    /** The median of rows (row-major, dim wide) starting from start; stops when a step moves < TOLERANCE x (1 + |y|). */
    static double[] of(float[] rows, int dim, double[] start) {
        int n = rows.length / dim;
        double[] y = start.clone();
        if (n == 0) {
            return y;
        }
        double[] next = new double[dim];
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            java.util.Arrays.fill(next, 0);
            double weights = 0;
            for (int i = 0; i < n; i++) {
                double w = 1 / Math.max(EPS, distance(rows, i * dim, y));
                weights += w;
                for (int j = 0; j < dim; j++) {
                    next[j] += w * rows[i * dim + j];
                }
            }
            double moved = 0;
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double v = next[j] / weights;
                moved += (v - y[j]) * (v - y[j]);
                norm += v * v;
                y[j] = v;
            }
            if (Math.sqrt(moved) < TOLERANCE * (1 + Math.sqrt(norm))) {
                break;
            }
        }
        return y;
    }

    /** Sum of distances from the rows to y (the objective the median minimizes). */
    static double sumOfDistances(float[] rows, int dim, double[] y) {
        double s = 0;
        for (int o = 0; o < rows.length; o += dim) {
            s += distance(rows, o, y);
        }
        return s;
    }

    private static double distance(float[] rows, int offset, double[] y) {
        double s = 0;
        for (int j = 0; j < y.length; j++) {
            double d = rows[offset + j] - y[j];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
