package topksae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * overcomplete's MLPEncoder: (nbBlocks - 1) hidden blocks Linear, Norm, ReLU (optional residual),
 * then a final Linear and Norm giving the preCodes, then ReLU. Norm is "identity", "layer" or "batch".
 */
public final class MLPEncoder implements Encoder {
    private final List<List<Layer>> hidden = new ArrayList<>();
    private final List<Layer> fin = new ArrayList<>();
    private final boolean residual;
    private final boolean sameWidth;
    private INDArray preCodes;

    public MLPEncoder(
            int inDim, int nbConcepts, Integer hiddenDim, int nbBlocks, String norm, boolean residual, Random rng) {
        int h = hiddenDim == null ? inDim : hiddenDim;
        this.residual = residual;
        this.sameWidth = h == inDim;
        int last = inDim;
        for (int b = 0; b < nbBlocks - 1; b++) {
            String p = "encoder.mlp_blocks." + b;
            List<Layer> block = new ArrayList<>();
            block.add(new Linear(p + ".0", last, h, rng));
            addNorm(block, norm, p + ".1", h);
            block.add(new Relu());
            hidden.add(block);
            last = h;
        }
        fin.add(new Linear("encoder.final_block.0", last, nbConcepts, rng));
        addNorm(fin, norm, "encoder.final_block.1", nbConcepts);
        Linear first = (Linear) (hidden.isEmpty() ? fin : hidden.get(0)).get(0);
        first.inputGradient(false); // dL/dx of the input is never used
    }

    private static void addNorm(List<Layer> block, String norm, String prefix, int dim) {
        switch (norm) {
            case "identity" -> {}
            case "layer" -> block.add(new LayerNorm(prefix, dim));
            case "batch" -> block.add(new BatchNorm1d(prefix, dim));
            default -> throw new IllegalArgumentException("unknown norm layer " + norm);
        }
    }

    /** The final Linear layer (the only layer of the "linear" encoder). */
    public Linear finalLinear() {
        return (Linear) fin.get(0);
    }

    public boolean isPlainLinear() {
        return hidden.isEmpty() && fin.size() == 1;
    }

    @Override
    public SAE.Encoded forward(INDArray x) {
        for (int i = 0; i < hidden.size(); i++) {
            INDArray y = run(hidden.get(i), x);
            x = useResidual(i) ? y.add(x) : y;
        }
        preCodes = run(fin, x);
        return new SAE.Encoded(preCodes, org.nd4j.linalg.ops.transforms.Transforms.relu(preCodes, true));
    }

    private boolean useResidual(int i) {
        return residual && (i != 0 || sameWidth);
    }

    private static INDArray run(List<Layer> layers, INDArray x) {
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    private static INDArray back(List<Layer> layers, INDArray g) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g);
        }
        return g;
    }

    /** Returns null: the gradient w.r.t. the input tokens is not computed. */
    @Override
    public INDArray backward(INDArray gPre, INDArray gCodes) {
        INDArray g = Relu.preCodeGradient(preCodes, gPre, gCodes);
        if (g == null) {
            return null;
        }
        g = back(fin, g);
        for (int i = hidden.size() - 1; i >= 0; i--) {
            INDArray gIn = back(hidden.get(i), g);
            g = i == 0 ? null : (useResidual(i) ? gIn.addi(g) : gIn);
        }
        return g;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (List<Layer> block : hidden) {
            block.forEach(l -> l.collectParameters(out));
        }
        fin.forEach(l -> l.collectParameters(out));
        return out;
    }

    @Override
    public void collectState(Map<String, INDArray> out) {
        for (List<Layer> block : hidden) {
            block.forEach(l -> l.collectState(out));
        }
        fin.forEach(l -> l.collectState(out));
    }

    @Override
    public void train(boolean mode) {
        hidden.forEach(b -> b.forEach(l -> l.train(mode)));
        fin.forEach(l -> l.train(mode));
    }
}
