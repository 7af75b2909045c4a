package topksae.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.train.TrainConfig;
import topksae.train.Trainer;

/** Small trained models and inputs shared by the export tests. */
final class ModelFixtures {
    private ModelFixtures() {}

    static SAEConfig config(String variant, String encoder, int dim, int concepts, int k) {
        SAEConfig c = new SAEConfig();
        c.variant = variant;
        c.inputShape = new int[] {dim};
        c.nbConcepts = concepts;
        c.topK = k;
        c.encoder = encoder;
        c.seed = 11;
        return c;
    }

    /** A model after a few Adam steps, so the raw dictionary is no longer normalized. */
    static SAE trained(SAEConfig c, int steps) {
        SAE sae = SAE.fromConfig(c);
        Trainer t = new Trainer(sae, new TrainConfig());
        for (int s = 0; s < steps; s++) {
            t.step(inputs(32, c.inputShape[0], 100 + s));
        }
        return sae;
    }

    static INDArray inputs(int rows, int dim, long seed) {
        java.util.Random rng = new java.util.Random(seed);
        float[] v = new float[rows * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() + 0.1 * (i % dim));
        }
        return Nd4j.create(v, new long[] {rows, dim}, 'c').castTo(DataType.FLOAT);
    }

    static float[] preBias(int dim) {
        float[] b = new float[dim];
        for (int j = 0; j < dim; j++) {
            b[j] = 0.05f * (j - dim / 2f);
        }
        return b;
    }

    /** The Spark model's rule: subtract the offset, encode, decode, add it back. Returns {codes, xHat}. */
    static INDArray[] run(SAE sae, float[] preBias, INDArray x) {
        INDArray in = x;
        INDArray bias = preBias == null ? null : Nd4j.create(preBias, new long[] {1, preBias.length}, 'c');
        if (bias != null) {
            in = x.subRowVector(bias);
        }
        SAE.Encoded e = sae.encode(in);
        INDArray xHat = sae.decode(e.codes());
        if (bias != null) {
            xHat = xHat.addRowVector(bias);
        }
        return new INDArray[] {e.codes().dup(), xHat.dup()};
    }
}
