package topksae.spark;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.Parameter;
import topksae.model.SAE;

/** Weight initialization choices, and which positions of the flat state are trainable. */
final class Initialization {
    static final String ENCODER_WEIGHT = "encoder.final_block.0.weight";
    static final String DICTIONARY = "dictionary._weights";

    private Initialization() {}

    /**
     * "default" keeps the core model's initialization. "tied" (Gao et al. 2024) sets the linear
     * encoder's weight [nbConcepts, dim] to the unit-norm dictionary rows, i.e. W_enc = W_dec^T.
     * "auto" is tied for the linear encoder (weight, bias, dictionary, multiplier), else default.
     */
    static void apply(SAE sae, String kind) {
        boolean linear =
                sae.stateDict().containsKey(ENCODER_WEIGHT) && sae.stateDict().size() == 4;
        if ("default".equals(kind) || ("auto".equals(kind) && !linear)) {
            return;
        }
        sae.train();
        INDArray dictionary = sae.getDictionary();
        LinkedHashMap<String, INDArray> sd = sae.stateDict();
        INDArray enc = sd.get(ENCODER_WEIGHT);
        if (enc == null || !java.util.Arrays.equals(enc.shape(), dictionary.shape())) {
            throw new IllegalArgumentException("initialization=tied needs the linear encoder (a weight '"
                    + ENCODER_WEIGHT + "' shaped like the dictionary); this model has " + sd.keySet()
                    + ". Use initialization=default with this encoderModule.");
        }
        Map<String, INDArray> next = new LinkedHashMap<>(sd);
        next.put(ENCODER_WEIGHT, dictionary.dup());
        sae.loadStateDict(next);
    }

    /** For each flat-state position (stateDict order): true if it belongs to a trainable parameter. */
    static boolean[] trainableMask(SAE sae) {
        Set<String> trainable = new HashSet<>();
        for (Parameter p : sae.parameters()) {
            trainable.add(p.name());
        }
        LinkedHashMap<String, INDArray> sd = sae.stateDict();
        long total = 0;
        for (INDArray a : sd.values()) {
            total += a.length();
        }
        boolean[] mask = new boolean[Math.toIntExact(total) + ModelState.extra(sae)];
        int pos = 0;
        for (Map.Entry<String, INDArray> e : sd.entrySet()) {
            int n = Math.toIntExact(e.getValue().length());
            java.util.Arrays.fill(mask, pos, pos + n, trainable.contains(e.getKey()));
            pos += n;
        }
        return mask;
    }
}
