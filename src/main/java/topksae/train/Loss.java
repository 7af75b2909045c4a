package topksae.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/** overcomplete's loss signature (x, xHat, preCodes, codes, dictionary), returning value and gradients. */
@FunctionalInterface
public interface Loss {
    LossResult apply(INDArray x, INDArray xHat, INDArray preCodes, INDArray codes, INDArray dictionary);
}
