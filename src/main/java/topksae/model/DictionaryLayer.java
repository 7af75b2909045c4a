package topksae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * overcomplete's DictionaryLayer. In train mode every read overwrites the weights with their
 * normalization (no gradient through it) and returns weights * exp(multiplier); eval() caches
 * that product once (the fused dictionary) and eval reads return the cache.
 */
public final class DictionaryLayer {
    private final Normalization normalization;
    private final Parameter weights;
    private final Parameter multiplierParam;
    private final INDArray multiplier;
    private boolean training = true;
    private INDArray fused;

    public DictionaryLayer(int dim, int nbConcepts, DictionaryParams p, Random rng) {
        DictionaryParams params = p == null ? new DictionaryParams() : p;
        normalization = params.resolve();
        INDArray w;
        if (params.initializer != null) {
            if (params.initializer.rows() != nbConcepts || params.initializer.columns() != dim) {
                throw new IllegalArgumentException(
                        "Invalid initializer, must have shape [" + nbConcepts + ", " + dim + "]");
            }
            w = params.initializer.castTo(Nd4j.defaultFloatingPointType()).dup();
        } else {
            w = Init.xavierUniform(rng, nbConcepts, dim);
        }
        weights = new Parameter("dictionary._weights", w);
        multiplier = Nd4j.scalar(w.dataType(), 0.0);
        multiplierParam = params.useMultiplier ? new Parameter("dictionary.multiplier", multiplier) : null;
    }

    public Parameter weights() {
        return weights;
    }

    public boolean usesMultiplier() {
        return multiplierParam != null;
    }

    public double scale() {
        return Math.exp(multiplier.getDouble(0));
    }

    /** Train: renormalize the weights in place, return weights * exp(m) (a new array). Eval: the fused cache. */
    public INDArray getDictionary() {
        if (training) {
            weights.value().assign(normalization.apply(weights.value()));
            return weights.value().mul(scale());
        }
        if (fused == null) {
            throw new IllegalStateException("Dictionary is not initialized.");
        }
        return fused;
    }

    /** Adds the gradient of L w.r.t. a dictionary D = W exp(m) that was read as {@code used}. */
    public void backward(INDArray gradDictionary, INDArray used) {
        weights.grad().addi(gradDictionary.mul(scale()));
        if (multiplierParam != null) {
            multiplierParam.grad().addi(gradDictionary.mul(used).sumNumber().doubleValue());
        }
    }

    /** Like torch: leaving train mode fuses the dictionary (reading it in the current mode). */
    public void train(boolean mode) {
        if (!mode) {
            fused = getDictionary();
        }
        training = mode;
    }

    public boolean isTraining() {
        return training;
    }

    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        out.add(weights);
        if (multiplierParam != null) {
            out.add(multiplierParam);
        }
        return out;
    }

    public void collectState(Map<String, INDArray> out) {
        out.put("dictionary._weights", weights.value());
        out.put("dictionary.multiplier", multiplier);
    }
}
