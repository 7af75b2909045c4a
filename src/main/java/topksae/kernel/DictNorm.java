package topksae.kernel;

import java.nio.FloatBuffer;

/**
 * The train-mode dictionary read of overcomplete, in place on the live weights: W is overwritten by
 * its normalization (twice, as a training step reads the dictionary twice), and the fused dictionary
 * normalize(W) * scale of the first read is written to a Java array for the sparse gathers.
 */
public final class DictNorm {
    /** The built-in normalizations (same names as the model's registry). */
    public enum Kind {
        L2,
        L1,
        MAX_L2,
        MAX_L1,
        IDENTITY;

        /** The kind for a registered normalization name, or null if it is not a built-in one. */
        public static Kind of(String name) {
            if (name == null) {
                return null;
            }
            return switch (name) {
                case "l2" -> L2;
                case "l1" -> L1;
                case "max_l2" -> MAX_L2;
                case "max_l1" -> MAX_L1;
                case "identity" -> IDENTITY;
                default -> null;
            };
        }
    }

    private static final float EPS = 1e-8f;
    private static final int GRAIN = 32;

    private DictNorm() {}

    /** Renormalizes w [n, d] in place (two reads) and fills fused[n*d] = first read * scale. */
    public static void apply(FloatBuffer w, int n, int d, Kind kind, float scale, float[] fused) {
        switch (kind) {
            case L2, L1 -> rowWise(w, n, d, kind == Kind.L2, scale, fused);
            case MAX_L2, MAX_L1 -> {
                boolean l2 = kind == Kind.MAX_L2;
                divide(w, n, d, maxNorm(w, n, d, l2), scale, fused);
                divide(w, n, d, maxNorm(w, n, d, l2), Float.NaN, null);
            }
            case IDENTITY ->
                Par.range(n, GRAIN, (c, lo, hi) -> {
                    float[] r = Scratch.floats(0, d);
                    for (int j = lo; j < hi; j++) {
                        w.get(j * d, r, 0, d);
                        Vec.scale(scale, r, 0, fused, j * d, d);
                    }
                });
            default -> throw new IllegalStateException();
        }
    }

    static float norm(float[] r, int d, boolean l2) {
        return l2 ? (float) Math.sqrt(Vec.sumSq(r, 0, d)) : (float) Vec.sumAbs(r, 0, d);
    }

    private static void rowWise(FloatBuffer w, int n, int d, boolean l2, float scale, float[] fused) {
        Par.range(n, GRAIN, (c, lo, hi) -> {
            float[] r = Scratch.floats(0, d);
            for (int j = lo; j < hi; j++) {
                w.get(j * d, r, 0, d);
                float den = norm(r, d, l2) + EPS;
                for (int t = 0; t < d; t++) {
                    r[t] = r[t] / den;
                }
                Vec.scale(scale, r, 0, fused, j * d, d);
                float den2 = norm(r, d, l2) + EPS;
                for (int t = 0; t < d; t++) {
                    r[t] = r[t] / den2;
                }
                w.put(j * d, r, 0, d);
            }
        });
    }

    private static float maxNorm(FloatBuffer w, int n, int d, boolean l2) {
        float[] part = new float[Par.chunks(n, GRAIN)];
        Par.range(n, GRAIN, (c, lo, hi) -> {
            float[] r = Scratch.floats(0, d);
            float m = 0f;
            for (int j = lo; j < hi; j++) {
                w.get(j * d, r, 0, d);
                m = Math.max(m, norm(r, d, l2));
            }
            part[c] = m;
        });
        float m = 0f;
        for (float p : part) {
            m = Math.max(m, p);
        }
        return m;
    }

    private static void divide(FloatBuffer w, int n, int d, float den, float scale, float[] fused) {
        Par.range(n, GRAIN, (c, lo, hi) -> {
            float[] r = Scratch.floats(0, d);
            for (int j = lo; j < hi; j++) {
                w.get(j * d, r, 0, d);
                for (int t = 0; t < d; t++) {
                    r[t] = r[t] / den;
                }
                if (fused != null) {
                    Vec.scale(scale, r, 0, fused, j * d, d);
                }
                w.put(j * d, r, 0, d);
            }
        });
    }
}
