package topksae.io;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.model.TopKSAE;

/**
 * Converts between the core model (overcomplete's TopKSAE with the {@code linear} encoder, plus
 * an optional input offset {@code preBias}) and the SAELens / sparsify inference form.
 * <p>Export: {@code W_enc}/{@code b_enc} are the encoder's Linear, {@code W_dec} is the fused
 * eval-mode dictionary (normalized, times exp(multiplier)), {@code b_dec} is the preBias, or zeros
 * when the model has none. Import: the dictionary comes back as it was stored, with
 * {@code normalization = "identity"} so eval reads return exactly the stored rows; a non-zero
 * {@code b_dec} becomes the preBias (subtracted before encoding, added after decoding), which
 * the core SAE alone cannot hold.
 */
public final class CoreWeights {
    static final String ENC_W = "encoder.final_block.0.weight";
    static final String ENC_B = "encoder.final_block.0.bias";
    static final String DICT_W = "dictionary._weights";
    static final String DICT_M = "dictionary.multiplier";
    /** safetensors metadata key holding the exporting model's {@link SAEConfig} JSON. */
    public static final String CONFIG_KEY = "topksae_config";

    private CoreWeights() {}

    /** A core model plus its optional input offset (null = none), as rebuilt from a file. */
    public record Imported(SAE sae, float[] preBias) {
        /** The core model alone; refuses, with the reason, a file whose b_dec is not zero. */
        public SAE saeWithoutOffset() {
            if (preBias != null) {
                throw new IllegalArgumentException("this SAE has a non-zero b_dec (an input offset subtracted before"
                        + " encoding and added after decoding), which the core SAE (overcomplete's TopKSAE) has no"
                        + " place for: import it as a TopKSAEModel (ModelFiles), or apply preBias() yourself");
            }
            return sae;
        }
    }

    /** The inference form of {@code sae} (left untouched) with input offset {@code preBias} (null = none). */
    public static TopKWeights fromSae(SAE sae, float[] preBias) {
        SAEConfig cfg = sae.config();
        if (!"topk".equals(cfg.variant) || !(sae instanceof TopKSAE topk)) {
            throw new IllegalArgumentException("only TopK SAEs have a SAELens/sparsify form; a '" + cfg.variant
                    + "' model selects by a global threshold: export the overcomplete layout instead");
        }
        if (!"linear".equals(cfg.encoder)) {
            throw new IllegalArgumentException("SAELens and sparsify hold a single linear encoder; encoder '"
                    + cfg.encoder + "' can only be exported in the overcomplete layout");
        }
        int d = sae.inputDim();
        int n = sae.nbConcepts();
        if (preBias != null && preBias.length != d) {
            throw new IllegalArgumentException("preBias has " + preBias.length + " values, input dim is " + d);
        }
        Map<String, INDArray> state = sae.stateDict();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(CONFIG_KEY, cfg.toJson());
        return new TopKWeights(
                d,
                n,
                topk.topK(),
                floats(state.get(ENC_W)),
                floats(state.get(ENC_B)),
                floats(evalDictionary(sae)),
                preBias == null ? new float[d] : preBias.clone(),
                true,
                meta);
    }

    /**
     * A linear BatchTopK model in SAELens' JumpReLU form. In eval mode BatchTopK keeps
     * {@code relu(pre) >= runningThreshold}; JumpReLU keeps {@code pre > threshold}. With threshold =
     * the float just below the running threshold the two rules select the same codes for every
     * float32 input (and a threshold <= 0 keeps all positive codes in both).
     */
    public static void batchTopKToSaeLens(
            SAE sae, float[] preBias, java.nio.file.Path dir, Map<String, String> extraMetadata)
            throws java.io.IOException {
        SAEConfig cfg = sae.config();
        if (!(sae instanceof topksae.model.BatchTopKSAE b) || !"linear".equals(cfg.encoder)) {
            throw new IllegalArgumentException(
                    "needs a BatchTopK SAE with the linear encoder, got '" + cfg.variant + "' / '" + cfg.encoder + "'");
        }
        if (b.runningThreshold() == null) {
            throw new IllegalArgumentException("the BatchTopK model has no running threshold yet (never trained)");
        }
        int d = sae.inputDim();
        int n = sae.nbConcepts();
        Map<String, INDArray> state = sae.stateDict();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(CONFIG_KEY, cfg.toJson());
        TopKWeights w = new TopKWeights(
                d,
                n,
                1,
                floats(state.get(ENC_W)),
                floats(state.get(ENC_B)),
                floats(evalDictionary(sae)),
                preBias == null ? new float[d] : preBias.clone(),
                true,
                meta);
        float[] threshold = new float[n];
        java.util.Arrays.fill(threshold, Math.nextDown(ceilToFloat(b.runningThreshold())));
        SaeLensFormat.writeJumpRelu(w, threshold, dir, extraMetadata);
    }

    /** The smallest float32 >= v. */
    static float ceilToFloat(double v) {
        float f = (float) v;
        return f < v ? Math.nextUp(f) : f;
    }

    /** The eval-mode (fused) dictionary, read from a copy when {@code sae} is training (reads there renormalize). */
    static INDArray evalDictionary(SAE sae) {
        if (!sae.isTraining()) {
            return sae.getDictionary();
        }
        SAE copy = SAE.fromConfig(sae.config());
        copy.loadStateDict(sae.stateDict());
        return copy.eval().getDictionary();
    }

    /** Rebuilds a core model from the inference form; see the class comment for b_dec. */
    public static Imported toSae(TopKWeights w) {
        if (!w.applyBDecToInput() && !w.hasZeroDecoderBias()) {
            throw new IllegalArgumentException("this SAE adds a non-zero b_dec to its output without subtracting"
                    + " it from the input (apply_b_dec_to_input=false); the model here only supports an input"
                    + " offset used both ways, so it cannot be imported exactly");
        }
        SAEConfig cfg = new SAEConfig();
        cfg.variant = "topk";
        cfg.inputShape = new int[] {w.dIn()};
        cfg.nbConcepts = w.nbConcepts();
        cfg.topK = w.k();
        cfg.encoder = "linear";
        cfg.normalization = "identity";
        cfg.useMultiplier = false;
        keepShapeAndSeed(cfg, w.metadata().get(CONFIG_KEY));
        SAE sae = SAE.fromConfig(cfg);
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(ENC_W, Nd4j.create(w.wEnc(), new long[] {w.nbConcepts(), w.dIn()}, 'c'));
        state.put(ENC_B, Nd4j.create(w.bEnc(), new long[] {w.nbConcepts()}, 'c'));
        state.put(DICT_W, Nd4j.create(w.wDec(), new long[] {w.nbConcepts(), w.dIn()}, 'c'));
        state.put(DICT_M, Nd4j.scalar(DataType.FLOAT, 0.0));
        sae.loadStateDict(state);
        sae.eval();
        return new Imported(sae, w.hasZeroDecoderBias() ? null : w.bDec().clone());
    }

    /** Our own exports record the input shape (e.g. [seq, dim]) and seed; reuse them when they fit. */
    private static void keepShapeAndSeed(SAEConfig cfg, String json) {
        if (json == null) {
            return;
        }
        try {
            SAEConfig orig = SAEConfig.fromJson(json);
            if (orig.inputShape != null && orig.nbConcepts == cfg.nbConcepts) {
                int[] s = orig.inputShape;
                int dim = s.length == 3 ? s[0] : s[s.length - 1];
                if (dim == cfg.inputShape[0]) {
                    cfg.inputShape = s.clone();
                }
            }
            cfg.seed = orig.seed;
            cfg.device = orig.device == null ? cfg.device : orig.device;
        } catch (IllegalArgumentException ignored) {
            // foreign or damaged metadata: the shapes in the file are authoritative
        }
    }

    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
