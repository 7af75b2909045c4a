package topksae.model;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** overcomplete's IdentityEncoder: preCodes = codes = x (no ReLU); needs nbConcepts == dim. */
public final class IdentityEncoder implements Encoder {
    private final int dim;

    public IdentityEncoder(int dim) {
        this.dim = dim;
    }

    @Override
    public SAE.Encoded forward(INDArray x) {
        if (x.columns() != dim) {
            throw new IllegalArgumentException("identity encoder expects " + dim + " columns, got " + x.columns());
        }
        return new SAE.Encoded(x, x);
    }

    @Override
    public INDArray backward(INDArray gPre, INDArray gCodes) {
        INDArray g = gPre == null ? gCodes : (gCodes == null ? gPre : gPre.add(gCodes));
        return g;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public void collectState(Map<String, INDArray> out) {}

    @Override
    public void train(boolean mode) {}
}
