package topksae.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** max(x, 0); the gradient at 0 is 0, as in torch. */
public final class Relu extends Layer {
    private INDArray output;

    @Override
    public INDArray forward(INDArray x) {
        output = Transforms.relu(x, true);
        return output;
    }

    @Override
    public INDArray backward(INDArray g) {
        return g.mul(positive(output));
    }

    /** 1 where a > 0, else 0, in a's data type. */
    public static INDArray positive(INDArray a) {
        return a.gt(0).castTo(a.dataType());
    }

    /**
     * dL/d(preCodes) of an encoder whose activations are relu(preCodes), from the two gradients an
     * encoder receives (either may be null; gPre is not modified). Null when both are null.
     */
    public static INDArray preCodeGradient(INDArray preCodes, INDArray gPre, INDArray gCodes) {
        INDArray g = gCodes == null ? null : gCodes.mul(positive(preCodes));
        if (gPre != null) {
            g = g == null ? gPre.dup() : g.addi(gPre);
        }
        return g;
    }
}
