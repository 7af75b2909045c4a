package topksae.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A trainable tensor with its torch state_dict name and a gradient buffer of the same shape. */
public final class Parameter {
    private final String name;
    private final INDArray value;
    private final INDArray grad;

    public Parameter(String name, INDArray value) {
        this.name = name;
        this.value = value;
        this.grad = Nd4j.zerosLike(value);
    }

    public String name() {
        return name;
    }

    /** The live value; optimizers and loaders update it in place. */
    public INDArray value() {
        return value;
    }

    /** The accumulated gradient; backward passes add into it. */
    public INDArray grad() {
        return grad;
    }

    public void zeroGrad() {
        grad.assign(0);
    }

    @Override
    public String toString() {
        return name + java.util.Arrays.toString(value.shape());
    }
}
