package topksae.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import topksae.model.Relu;
import topksae.model.TopKSelect;

/**
 * AuxK of "Scaling and evaluating sparse autoencoders" (Gao et al. 2024): mse + alpha * mean((r - A D)^2)
 * where r = x - xHat is a fixed target (no gradient) and A keeps, per token, the kAux largest
 * relu(preCodes) among the latents currently marked dead. With no dead latent it is the plain MSE.
 */
public final class PaperAuxK implements Loss {
    private final double alpha;
    private final int kAux;
    private boolean[] dead;

    public PaperAuxK(double alpha, int kAux) {
        this.alpha = alpha;
        this.kAux = kAux;
    }

    /** Sets which latents count as dead for the next calls. */
    public void setDead(boolean[] deadLatents) {
        dead = deadLatents;
    }

    @Override
    public LossResult apply(INDArray x, INDArray xHat, INDArray pre, INDArray codes, INDArray dict) {
        LossResult base = Losses.mse(x, xHat, pre, codes, dict);
        if (dead == null || alpha == 0) {
            return base;
        }
        LossResult aux = auxTerm(x.sub(xHat), pre, dict, dead, kAux, alpha);
        if (aux == null) {
            return base;
        }
        return new LossResult(
                base.loss() + aux.loss(), base.gradXHat(), aux.gradPreCodes(), null, aux.gradDictionary());
    }

    /**
     * alpha * mean((target - A D)^2) with A the kAux largest relu(preCodes) per token among the dead
     * latents, and its gradients w.r.t. preCodes and the dictionary (the target gets none).
     * Returns null when no latent is dead.
     */
    public static LossResult auxTerm(
            INDArray target, INDArray pre, INDArray dict, boolean[] dead, int kAux, double alpha) {
        int nDead = 0;
        for (boolean b : dead) {
            nDead += b ? 1 : 0;
        }
        if (nDead == 0) {
            return null;
        }
        INDArray deadRow = Nd4j.create(pre.dataType(), 1, pre.columns());
        for (int j = 0; j < dead.length; j++) {
            deadRow.putScalar(0, j, dead[j] ? 1.0 : 0.0);
        }
        INDArray z = Transforms.relu(pre, true).muliRowVector(deadRow);
        int[][] idx = TopKSelect.topK(z, Math.min(kAux, nDead));
        INDArray mask = Nd4j.zerosLike(z);
        for (int i = 0; i < idx.length; i++) {
            for (int j : idx[i]) {
                mask.putScalar(i, j, 1.0);
            }
        }
        mask.muliRowVector(deadRow);
        INDArray a = z.mul(mask);
        INDArray e = target.dup();
        Nd4j.gemm(a, dict, e, false, false, -1.0, 1.0); // e = target - A D
        double count = e.length();
        double aux = e.mul(e).sumNumber().doubleValue() / count;
        INDArray ge = e.muli(alpha * 2.0 / count);
        INDArray gA = Nd4j.create(pre.dataType(), z.rows(), z.columns());
        Nd4j.gemm(ge, dict, gA, false, true, -1.0, 0.0);
        INDArray gPre = gA.muli(mask).muli(Relu.positive(pre));
        INDArray gD = Nd4j.create(pre.dataType(), dict.rows(), dict.columns());
        Nd4j.gemm(a, ge, gD, true, false, -1.0, 0.0);
        return new LossResult(alpha * aux, null, gPre, null, gD);
    }
}
