package topksae.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** overcomplete's dictionary normalizations by name, open to user ones. */
public final class Normalizations {
    private static final double EPS = 1e-8;
    private static final Map<String, Normalization> REGISTRY = new LinkedHashMap<>();

    static {
        register("l2", w -> w.divColumnVector(w.norm2(1).addi(EPS).reshape(w.rows(), 1)));
        register("max_l2", w -> w.div(w.norm2(1).maxNumber()));
        register("l1", w -> w.divColumnVector(w.norm1(1).addi(EPS).reshape(w.rows(), 1)));
        register("max_l1", w -> w.div(w.norm1(1).maxNumber()));
        register("identity", INDArray::dup);
    }

    private Normalizations() {}

    public static synchronized void register(String name, Normalization n) {
        REGISTRY.put(name, n);
    }

    public static synchronized Normalization get(String name) {
        Normalization n = REGISTRY.get(name);
        if (n == null) {
            throw new IllegalArgumentException("unknown normalization '" + name + "', known: " + REGISTRY.keySet());
        }
        return n;
    }

    /** The registered name of n, or null. */
    public static synchronized String nameOf(Normalization n) {
        for (Map.Entry<String, Normalization> e : REGISTRY.entrySet()) {
            if (e.getValue() == n) {
                return e.getKey();
            }
        }
        return null;
    }
}
