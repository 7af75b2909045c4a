package topksae.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Activations made from a known sparse dictionary: x = sum of k unit atoms with weights in [0.5, 2] + noise. */
public final class SyntheticData {
    public final INDArray atoms;
    public final List<INDArray> batches = new ArrayList<>();

    public SyntheticData(int dim, int nbAtoms, int k, int nbBatches, int batch, double noise, long seed) {
        Random rng = new Random(seed);
        atoms = Nd4j.create(nbAtoms, dim);
        for (int a = 0; a < nbAtoms; a++) {
            for (int j = 0; j < dim; j++) {
                atoms.putScalar(a, j, rng.nextGaussian());
            }
        }
        atoms.diviColumnVector(atoms.norm2(1).reshape(nbAtoms, 1));
        for (int b = 0; b < nbBatches; b++) {
            INDArray codes = Nd4j.zeros(batch, nbAtoms);
            for (int i = 0; i < batch; i++) {
                for (int c = 0; c < k; c++) {
                    codes.putScalar(i, rng.nextInt(nbAtoms), 0.5 + 1.5 * rng.nextDouble());
                }
            }
            INDArray x = codes.mmul(atoms);
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < dim; j++) {
                    x.putScalar(i, j, x.getDouble(i, j) + noise * rng.nextGaussian());
                }
            }
            batches.add(x);
        }
    }

    /** Fraction of true atoms whose best cosine with a row of the dictionary is at least minCos. */
    public double recovered(INDArray dictionary, double minCos) {
        INDArray d = dictionary.divColumnVector(dictionary.norm2(1).addi(1e-12).reshape(dictionary.rows(), 1));
        INDArray cos = atoms.mmul(d.transpose());
        INDArray best = cos.max(1);
        return best.gte(minCos)
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .meanNumber()
                .doubleValue();
    }
}
