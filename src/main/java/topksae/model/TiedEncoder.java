package topksae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * overcomplete's TieableEncoder: preCodes = x D^T (+ bias) with D the dictionary (tied) or an own
 * weight [nbConcepts, dim] (untied); codes = ReLU(preCodes).
 */
public final class TiedEncoder implements Encoder {
    private final DictionaryLayer tiedTo;
    private final Parameter weight;
    private final Parameter bias;
    private INDArray input;
    private INDArray usedWeight;
    private INDArray preCodes;

    public TiedEncoder(
            int dim, int nbConcepts, boolean withBias, DictionaryLayer tiedTo, INDArray weightInit, Random rng) {
        this.tiedTo = tiedTo;
        if (tiedTo == null) {
            INDArray w = weightInit != null ? weightInit.dup() : Init.xavierUniform(rng, nbConcepts, dim);
            weight = new Parameter("encoder.weight", w);
        } else {
            weight = null;
        }
        bias = withBias ? new Parameter("encoder.bias", Nd4j.zeros(nbConcepts)) : null;
    }

    public boolean isTied() {
        return tiedTo != null;
    }

    @Override
    public SAE.Encoded forward(INDArray x) {
        input = x;
        usedWeight = tiedTo != null ? tiedTo.getDictionary() : weight.value();
        preCodes = Nd4j.create(x.dataType(), x.rows(), usedWeight.rows());
        Nd4j.gemm(x, usedWeight, preCodes, false, true, 1.0, 0.0);
        if (bias != null) {
            preCodes.addiRowVector(bias.value());
        }
        return new SAE.Encoded(preCodes, Transforms.relu(preCodes, true));
    }

    @Override
    public INDArray backward(INDArray gPre, INDArray gCodes) {
        INDArray g = Relu.preCodeGradient(preCodes, gPre, gCodes);
        if (g == null) {
            return null;
        }
        if (bias != null) {
            bias.grad().addi(g.sum(0));
        }
        INDArray gW = Nd4j.create(g.dataType(), g.columns(), input.columns());
        Nd4j.gemm(g, input, gW, true, false, 1.0, 0.0);
        if (tiedTo != null) {
            tiedTo.backward(gW, usedWeight);
        } else {
            weight.grad().addi(gW);
        }
        INDArray gx = Nd4j.create(g.dataType(), g.rows(), input.columns());
        Nd4j.gemm(g, usedWeight, gx, false, false, 1.0, 0.0);
        return gx;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        if (weight != null) {
            out.add(weight);
        }
        if (bias != null) {
            out.add(bias);
        }
        return out;
    }

    @Override
    public void collectState(Map<String, INDArray> out) {
        parameters().forEach(p -> out.put(p.name(), p.value()));
    }

    @Override
    public void train(boolean mode) {}
}
