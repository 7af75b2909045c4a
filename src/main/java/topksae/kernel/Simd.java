package topksae.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The explicit-SIMD versions of {@link Vec}'s loops (jdk.incubator.vector). Only loaded when that
 * module is present: {@link Vec#SIMD}. Element-wise results are identical to the scalar loops (no
 * fused multiply-add); reductions differ only by summation order.
 */
final class Simd {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private Simd() {}

    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int t = 0;
        for (int up = S.loopBound(n); t < up; t += L) {
            FloatVector.fromArray(S, y, yo + t)
                    .add(FloatVector.fromArray(S, x, xo + t).mul(va))
                    .intoArray(y, yo + t);
        }
        for (; t < n; t++) {
            y[yo + t] += a * x[xo + t];
        }
    }

    static void scale(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int t = 0;
        for (int up = S.loopBound(n); t < up; t += L) {
            FloatVector.fromArray(S, x, xo + t).mul(va).intoArray(y, yo + t);
        }
        for (; t < n; t++) {
            y[yo + t] = a * x[xo + t];
        }
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int t = 0;
        for (int up = n - 2 * L; t <= up; t += 2 * L) {
            s0 = FloatVector.fromArray(S, a, ao + t)
                    .mul(FloatVector.fromArray(S, b, bo + t))
                    .add(s0);
            s1 = FloatVector.fromArray(S, a, ao + t + L)
                    .mul(FloatVector.fromArray(S, b, bo + t + L))
                    .add(s1);
        }
        for (int up = S.loopBound(n); t < up; t += L) {
            s0 = FloatVector.fromArray(S, a, ao + t)
                    .mul(FloatVector.fromArray(S, b, bo + t))
                    .add(s0);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; t < n; t++) {
            s += a[ao + t] * b[bo + t];
        }
        return s;
    }

    static double sumSq(float[] a, int ao, int n) {
        FloatVector s0 = FloatVector.zero(S);
        int t = 0;
        for (int up = S.loopBound(n); t < up; t += L) {
            FloatVector v = FloatVector.fromArray(S, a, ao + t);
            s0 = v.mul(v).add(s0);
        }
        double s = s0.reduceLanes(VectorOperators.ADD);
        for (; t < n; t++) {
            s += a[ao + t] * a[ao + t];
        }
        return s;
    }

    /** row[j] += bias[j] for j in [lo, lo + L); true if any of them is > thr. */
    static boolean addBiasAny(float[] row, float[] bias, int lo, float thr) {
        FloatVector v = FloatVector.fromArray(S, row, lo).add(FloatVector.fromArray(S, bias, lo));
        v.intoArray(row, lo);
        return v.compare(VectorOperators.GT, thr).anyTrue();
    }

    /**
     * block[0..L) = pre[j..j+L) + bias[j..j+L), pre read from native memory at byte byteOff; true if
     * any of them is > thr.
     */
    static boolean biasedAny(ByteBuffer pre, int byteOff, float[] bias, int j, float thr, float[] block) {
        FloatVector v = FloatVector.fromByteBuffer(S, pre, byteOff, NATIVE).add(FloatVector.fromArray(S, bias, j));
        v.intoArray(block, 0);
        return v.compare(VectorOperators.GT, thr).anyTrue();
    }

    /**
     * block[0..L) = pre[at..at+L) + b (pre read from native memory at byte at*4); true if any of
     * them is > its threshold thr[r..r+L).
     */
    static boolean columnAny(ByteBuffer pre, int byteOff, float b, float[] thr, int r, float[] block) {
        FloatVector v = FloatVector.fromByteBuffer(S, pre, byteOff, NATIVE).add(b);
        v.intoArray(block, 0);
        return v.compare(VectorOperators.GT, FloatVector.fromArray(S, thr, r)).anyTrue();
    }

    /** Adam on native p/m/v (byte offset off, n floats) with gradient g[go..] * coef (g null: zero). */
    static int adam(
            ByteBuffer p,
            ByteBuffer m,
            ByteBuffer v,
            long off,
            float[] g,
            int go,
            int n,
            float coef,
            float b1,
            float omb1,
            float b2,
            float omb2,
            float bc2Sqrt,
            float eps,
            float stepSize) {
        int t = 0;
        for (int up = S.loopBound(n); t < up; t += L) {
            int o = (int) (off + 4L * t);
            FloatVector gi = g == null
                    ? FloatVector.zero(S)
                    : FloatVector.fromArray(S, g, go + t).mul(coef);
            FloatVector mi = FloatVector.fromByteBuffer(S, m, o, NATIVE).mul(b1).add(gi.mul(omb1));
            FloatVector vi = FloatVector.fromByteBuffer(S, v, o, NATIVE)
                    .mul(b2)
                    .add(gi.mul(omb2).mul(gi));
            mi.intoByteBuffer(m, o, NATIVE);
            vi.intoByteBuffer(v, o, NATIVE);
            FloatVector den = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
            FloatVector pv = FloatVector.fromByteBuffer(S, p, o, NATIVE);
            pv.sub(mi.div(den).mul(stepSize)).intoByteBuffer(p, o, NATIVE);
        }
        return t;
    }
}
