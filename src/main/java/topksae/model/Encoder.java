package topksae.model;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maps tokens [batch, dim] to (preCodes, activations) [batch, nbConcepts], like overcomplete's
 * encoder modules. The SAE applies its sparsifier (top-k) to the activations.
 */
public interface Encoder {
    /** Forward pass; caches what {@link #backward} needs. Returns (preCodes, activations). */
    SAE.Encoded forward(INDArray x);

    /**
     * Adds parameter gradients given dL/d(preCodes) and dL/d(activations); either may be null.
     * Returns dL/dx, or null when the encoder does not compute it.
     */
    INDArray backward(INDArray gradPreCodes, INDArray gradCodes);

    /** Trainable parameters in torch order, names prefixed with "encoder.". */
    List<Parameter> parameters();

    /** state_dict entries (parameters and buffers) in torch order. */
    void collectState(Map<String, INDArray> out);

    void train(boolean mode);
}
