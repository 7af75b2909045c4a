package topksae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * overcomplete's dictionary_params: a normalization (registered name or custom function), an
 * optional trainable multiplier exp(m), and an optional initial dictionary [nbConcepts, dim].
 */
public final class DictionaryParams {
    public String normalization = "l2";
    public Normalization customNormalization;
    public boolean useMultiplier;
    public INDArray initializer;

    public DictionaryParams() {}

    public DictionaryParams(String normalization, boolean useMultiplier) {
        this.normalization = normalization;
        this.useMultiplier = useMultiplier;
    }

    public static DictionaryParams of(String normalization) {
        return new DictionaryParams(normalization, false);
    }

    public DictionaryParams multiplier(boolean on) {
        useMultiplier = on;
        return this;
    }

    public DictionaryParams custom(Normalization fn) {
        customNormalization = fn;
        return this;
    }

    public DictionaryParams initializer(INDArray init) {
        initializer = init;
        return this;
    }

    Normalization resolve() {
        return customNormalization != null ? customNormalization : Normalizations.get(normalization);
    }

    String name() {
        if (customNormalization == null) {
            return normalization;
        }
        String n = Normalizations.nameOf(customNormalization);
        return n != null ? n : "custom";
    }
}
