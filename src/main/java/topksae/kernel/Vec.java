package topksae.kernel;

/**
 * Loops over float arrays: explicit SIMD (jdk.incubator.vector) when that module is loaded, else
 * scalar loops (the JIT does not vectorize loops with two array offsets, nor float reductions).
 */
public final class Vec {
    /** Whether the SIMD versions are used (the JVM was started with --add-modules=jdk.incubator.vector). */
    public static final boolean SIMD =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && !Boolean.getBoolean("topksae.noSimd");

    private Vec() {}

    /** y[yo..yo+n) += a * x[xo..xo+n). */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        if (SIMD) {
            Simd.axpy(a, x, xo, y, yo, n);
        } else {
            axpyScalar(a, x, xo, y, yo, n);
        }
    }

    static void axpyScalar(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int t = 0; t < n; t++) {
            y[yo + t] += a * x[xo + t];
        }
    }

    /** y[yo..yo+n) = a * x[xo..xo+n). */
    public static void scale(float a, float[] x, int xo, float[] y, int yo, int n) {
        if (SIMD) {
            Simd.scale(a, x, xo, y, yo, n);
        } else {
            scaleScalar(a, x, xo, y, yo, n);
        }
    }

    static void scaleScalar(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int t = 0; t < n; t++) {
            y[yo + t] = a * x[xo + t];
        }
    }

    /** Dot product with eight independent partial sums. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return SIMD ? Simd.dot(a, ao, b, bo, n) : dotScalar(a, ao, b, bo, n);
    }

    static float dotScalar(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int t = 0;
        for (; t + 8 <= n; t += 8) {
            s0 += a[ao + t] * b[bo + t];
            s1 += a[ao + t + 1] * b[bo + t + 1];
            s2 += a[ao + t + 2] * b[bo + t + 2];
            s3 += a[ao + t + 3] * b[bo + t + 3];
            s4 += a[ao + t + 4] * b[bo + t + 4];
            s5 += a[ao + t + 5] * b[bo + t + 5];
            s6 += a[ao + t + 6] * b[bo + t + 6];
            s7 += a[ao + t + 7] * b[bo + t + 7];
        }
        for (; t < n; t++) {
            s0 += a[ao + t] * b[bo + t];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Sum of squares in double. */
    public static double sumSq(float[] a, int ao, int n) {
        return SIMD ? Simd.sumSq(a, ao, n) : sumSqScalar(a, ao, n);
    }

    static double sumSqScalar(float[] a, int ao, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int t = 0;
        for (; t + 4 <= n; t += 4) {
            float x0 = a[ao + t], x1 = a[ao + t + 1], x2 = a[ao + t + 2], x3 = a[ao + t + 3];
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
        }
        for (; t < n; t++) {
            s0 += a[ao + t] * a[ao + t];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Sum of absolute values in double. */
    public static double sumAbs(float[] a, int ao, int n) {
        double s = 0;
        for (int t = 0; t < n; t++) {
            s += Math.abs(a[ao + t]);
        }
        return s;
    }
}
