package topksae.model;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded weight initializers with torch's bounds. */
public final class Init {
    private Init() {}

    /** U(-bound, bound) of the given shape. */
    public static INDArray uniform(Random rng, double bound, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rng.nextDouble() * 2 - 1) * bound;
        }
        return Nd4j.create(v, shape, Nd4j.defaultFloatingPointType());
    }

    /** torch.nn.init.xavier_uniform_ for a [fanOut, fanIn] matrix. */
    public static INDArray xavierUniform(Random rng, int fanOut, int fanIn) {
        return uniform(rng, Math.sqrt(6.0 / (fanIn + fanOut)), fanOut, fanIn);
    }

    /** torch.nn.Linear's default bound (kaiming_uniform with a = sqrt(5)) for weight and bias. */
    public static double linearBound(int fanIn) {
        return 1.0 / Math.sqrt(fanIn);
    }
}
