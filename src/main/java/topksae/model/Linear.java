package topksae.model;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** y = x W^T + b with W [out, in] (torch layout). */
public final class Linear extends Layer {
    private final Parameter weight;
    private final Parameter bias;
    private INDArray input;
    private boolean inputGrad = true;

    public Linear(String prefix, int in, int out, Random rng) {
        double b = Init.linearBound(in);
        weight = new Parameter(prefix + ".weight", Init.uniform(rng, b, out, in));
        bias = new Parameter(prefix + ".bias", Init.uniform(rng, b, out));
    }

    public Parameter weight() {
        return weight;
    }

    /** Whether backward must return dL/dx (false for a first layer: saves one GEMM; returns null). */
    public Linear inputGradient(boolean on) {
        inputGrad = on;
        return this;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public INDArray forward(INDArray x) {
        input = x;
        INDArray w = weight.value();
        INDArray y = Nd4j.create(x.dataType(), x.rows(), w.rows());
        Nd4j.gemm(x, w, y, false, true, 1.0, 0.0);
        return y.addiRowVector(bias.value());
    }

    @Override
    public INDArray backward(INDArray g) {
        Nd4j.gemm(g, input, weight.grad(), true, false, 1.0, 1.0);
        bias.grad().addi(g.sum(0));
        if (!inputGrad) {
            return null;
        }
        INDArray gx = Nd4j.create(g.dataType(), g.rows(), input.columns());
        Nd4j.gemm(g, weight.value(), gx, false, false, 1.0, 0.0);
        return gx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
        out.add(bias);
    }

    @Override
    public void collectState(Map<String, INDArray> out) {
        out.put(weight.name(), weight.value());
        out.put(bias.name(), bias.value());
    }
}
