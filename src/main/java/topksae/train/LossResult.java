package topksae.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss value and its gradients w.r.t. the loss arguments (xHat, preCodes, codes, dictionary);
 * a null gradient means zero.
 */
public record LossResult(
        double loss, INDArray gradXHat, INDArray gradPreCodes, INDArray gradCodes, INDArray gradDictionary) {}
