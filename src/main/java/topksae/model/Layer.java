package topksae.model;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A differentiable block: forward caches what backward needs; backward adds into parameter grads. */
public abstract class Layer {
    protected boolean training = true;

    public abstract INDArray forward(INDArray x);

    /** Takes dL/d(output), accumulates parameter gradients, returns dL/d(input). */
    public abstract INDArray backward(INDArray gradOut);

    public void collectParameters(List<Parameter> out) {}

    public void collectState(Map<String, INDArray> out) {}

    public void train(boolean mode) {
        training = mode;
    }
}
