package topksae.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.TopKSelect;

/** overcomplete's losses with hand-derived gradients. */
public final class Losses {
    private Losses() {}

    /** mean((x - xHat)^2) over every element. */
    public static LossResult mse(INDArray x, INDArray xHat, INDArray pre, INDArray codes, INDArray dict) {
        INDArray r = x.sub(xHat);
        double count = r.length();
        double loss = r.mul(r).sumNumber().doubleValue() / count;
        return new LossResult(loss, r.muli(-2.0 / count), null, null, null);
    }

    /** overcomplete's top_k_auxiliary_loss as a {@link Loss} with the given penalty. */
    public static Loss topKAuxiliary(double penalty) {
        return (x, xHat, pre, codes, dict) -> topKAuxiliary(x, xHat, pre, codes, dict, penalty);
    }

    /**
     * mse + penalty * mean((r - A D)^2) with r = x - xHat and A the top nbConcepts/2 entries per row of
     * relu(preCodes) - codes (values scattered into zeros). Gradients flow into xHat, preCodes,
     * codes and the dictionary argument.
     */
    public static LossResult topKAuxiliary(
            INDArray x, INDArray xHat, INDArray pre, INDArray codes, INDArray dict, double penalty) {
        INDArray r = x.sub(xHat);
        double count = r.length();
        double mse = r.mul(r).sumNumber().doubleValue() / count;
        INDArray p = org.nd4j.linalg.ops.transforms.Transforms.relu(pre, true).subi(codes);
        int half = (int) (p.columns() / 2);
        int[][] idx = TopKSelect.topK(p, half);
        INDArray mask = Nd4j.zerosLike(p);
        for (int i = 0; i < idx.length; i++) {
            for (int j : idx[i]) {
                mask.putScalar(i, j, 1.0);
            }
        }
        INDArray a = p.mul(mask);
        INDArray rHat = Nd4j.create(x.dataType(), x.rows(), x.columns());
        Nd4j.gemm(a, dict, rHat, false, false, 1.0, 0.0);
        INDArray e = r.sub(rHat);
        double aux = e.mul(e).sumNumber().doubleValue() / count;
        double c = 2.0 / count;
        INDArray ge = e.mul(penalty * c); // dL/de
        INDArray gXHat = r.mul(-c).subi(ge);
        INDArray gA = Nd4j.create(x.dataType(), p.rows(), p.columns());
        Nd4j.gemm(ge, dict, gA, false, true, -1.0, 0.0); // dL/dA = -ge D^T
        INDArray gP = gA.muli(mask);
        INDArray gPre = gP.mul(topksae.model.Relu.positive(pre));
        INDArray gD = Nd4j.create(x.dataType(), dict.rows(), dict.columns());
        Nd4j.gemm(a, ge, gD, true, false, -1.0, 0.0); // dL/dD = -A^T ge
        return new LossResult(mse + penalty * aux, gXHat, gPre, gP.negi(), gD);
    }
}
