package topksae.model;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded weight initializers with torch's bounds. */
public final class Init {
    private Init() { }

    /** U(-bound, bound) of the given shape. */
    public static INDArray uniform(Random rng, double bound, long... shape) {
        INDArray a = Nd4j.create(shape);
        long n = a.length();
        for (long i = 0; i < n; i++) {
            a.putScalar(i, (rng.nextDouble() * 2 - 1) * bound);
        }
        return a;
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
