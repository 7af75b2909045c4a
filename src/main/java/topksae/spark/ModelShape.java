package topksae.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import topksae.io.MalformedSafetensorsException;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * The settings that shape a model (variant, input shape, concepts, k, encoder, normalization,
 * multiplier, hidden width, seed), compared between a checkpoint or a file and what is asked;
 * and a cheap size check run before a config read from a file is built, so that a header cannot
 * make the reader allocate more than the file holds.
 */
final class ModelShape {
    private ModelShape() {}

    /** "name: expected X, got Y" for each model-shaping setting that differs. */
    static List<String> differences(SAEConfig expected, SAEConfig actual) {
        List<String> out = new ArrayList<>();
        diff(out, "variant", expected.variant, actual.variant);
        diff(out, "inputDim", Arrays.toString(expected.inputShape), Arrays.toString(actual.inputShape));
        diff(out, "nbConcepts", expected.nbConcepts, actual.nbConcepts);
        diff(out, "topK", expected.topK, actual.topK);
        diff(out, "encoderModule", expected.encoder, actual.encoder);
        diff(out, "normalization", expected.normalization, actual.normalization);
        diff(out, "useMultiplier", expected.useMultiplier, actual.useMultiplier);
        diff(out, "hiddenDim", expected.hiddenDim, actual.hiddenDim);
        diff(out, "seed", expected.seed, actual.seed);
        return out;
    }

    private static void diff(List<String> out, String name, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            out.add(name + " " + expected + " (checkpoint) vs " + actual + " (this run)");
        }
    }

    /**
     * Builds the model a config read from {@code where} describes, after checking that its largest
     * matrices fit in the {@code floats} values the file holds.
     */
    static SAE build(SAEConfig c, long floats, String where) throws MalformedSafetensorsException {
        if (c.inputShape == null || c.inputShape.length == 0 || c.nbConcepts <= 0) {
            throw new MalformedSafetensorsException(where + ": config has no inputShape or nbConcepts");
        }
        for (int d : c.inputShape) {
            if (d <= 0) {
                throw new MalformedSafetensorsException(where + ": config inputShape " + Arrays.toString(c.inputShape)
                        + " has a non-positive dimension");
            }
        }
        long dim = c.inputShape[c.inputShape.length == 3 ? 0 : c.inputShape.length - 1];
        long dict = c.nbConcepts * dim;
        long hidden = c.hiddenDim == null ? 0 : Math.abs((long) c.hiddenDim) * dim;
        if (dict > floats || hidden > floats) {
            throw new MalformedSafetensorsException(where + ": config (nbConcepts " + c.nbConcepts + ", inputShape "
                    + Arrays.toString(c.inputShape) + ", hiddenDim " + c.hiddenDim + ") needs more values than the "
                    + floats + " the file holds: metadata contradicts the tensors");
        }
        try {
            return SAE.fromConfig(c);
        } catch (RuntimeException e) {
            throw new MalformedSafetensorsException(
                    where + ": cannot build the model its config describes: " + e.getMessage(), e);
        }
    }

    /** The core model config in a model or checkpoint file's header metadata. */
    static SAEConfig config(topksae.io.SafetensorsFile c) throws MalformedSafetensorsException {
        try {
            return SAEConfig.fromJson(c.requireMetadata("config"));
        } catch (IllegalArgumentException e) {
            throw new MalformedSafetensorsException(c.source() + ": metadata 'config': " + e.getMessage(), e);
        }
    }
}
