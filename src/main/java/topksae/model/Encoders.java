package topksae.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Registry of encoders by name, like overcomplete's EncoderFactory; open to user encoders. */
public final class Encoders {
    /** Options passed to every factory (overcomplete's hidden_dim and residual kwargs). */
    public record Options(Integer hiddenDim, boolean residual) {
        public static final Options DEFAULT = new Options(null, false);
    }

    /** Builds an encoder from the token dim, the number of concepts, options and a seeded RNG. */
    @FunctionalInterface
    public interface Factory {
        Encoder create(int inDim, int nbConcepts, Options options, Random rng);
    }

    private static final Map<String, Factory> REGISTRY = new LinkedHashMap<>();

    static {
        register("identity", (d, n, o, r) -> new IdentityEncoder(d));
        register("linear", (d, n, o, r) -> new MLPEncoder(d, n, o.hiddenDim(), 0, "identity", o.residual(), r));
        register("mlp_ln_1", (d, n, o, r) -> new MLPEncoder(d, n, o.hiddenDim(), 1, "layer", o.residual(), r));
        register("mlp_ln_3", (d, n, o, r) -> new MLPEncoder(d, n, o.hiddenDim(), 3, "layer", o.residual(), r));
        register("mlp_bn_1", (d, n, o, r) -> new MLPEncoder(d, n, o.hiddenDim(), 1, "batch", o.residual(), r));
        register("mlp_bn_3", (d, n, o, r) -> new MLPEncoder(d, n, o.hiddenDim(), 3, "batch", o.residual(), r));
    }

    private Encoders() {}

    public static synchronized void register(String name, Factory factory) {
        REGISTRY.put(name, factory);
    }

    public static synchronized boolean contains(String name) {
        return REGISTRY.containsKey(name);
    }

    public static synchronized java.util.List<String> names() {
        return java.util.List.copyOf(REGISTRY.keySet());
    }

    public static Encoder create(String name, int inDim, int nbConcepts, Options options, Random rng) {
        Factory f;
        synchronized (Encoders.class) {
            f = REGISTRY.get(name);
        }
        if (f == null) {
            throw new IllegalArgumentException("Encoder '" + name + "' not found in registry " + names());
        }
        return f.create(inDim, nbConcepts, options == null ? Options.DEFAULT : options, rng);
    }
}
