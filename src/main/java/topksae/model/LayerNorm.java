package topksae.model;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** torch.nn.LayerNorm over the last dim (biased variance, eps 1e-5); same in train and eval. */
public final class LayerNorm extends Layer {
    static final double EPS = 1e-5;
    private final Parameter weight;
    private final Parameter bias;
    private INDArray xhat;
    private INDArray invStd;

    public LayerNorm(String prefix, int dim) {
        weight = new Parameter(prefix + ".weight", Nd4j.ones(dim));
        bias = new Parameter(prefix + ".bias", Nd4j.zeros(dim));
    }

    @Override
    public INDArray forward(INDArray x) {
        long n = x.rows();
        INDArray centred = x.subColumnVector(x.mean(1).reshape(n, 1));
        INDArray var = centred.mul(centred).mean(1).reshape(n, 1);
        invStd = Transforms.pow(var.addi(EPS), -0.5, false);
        xhat = centred.muliColumnVector(invStd);
        return xhat.mulRowVector(weight.value()).addiRowVector(bias.value());
    }

    @Override
    public INDArray backward(INDArray g) {
        long n = g.rows();
        double d = g.columns();
        weight.grad().addi(g.mul(xhat).sum(0));
        bias.grad().addi(g.sum(0));
        INDArray gx = g.mulRowVector(weight.value());
        INDArray s1 = gx.sum(1).reshape(n, 1);
        INDArray s2 = gx.mul(xhat).sum(1).reshape(n, 1);
        gx.muli(d).subiColumnVector(s1).subi(xhat.mulColumnVector(s2));
        return gx.muliColumnVector(invStd).divi(d);
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
