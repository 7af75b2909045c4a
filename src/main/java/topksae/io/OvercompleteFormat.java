package topksae.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.BatchTopKSAE;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * overcomplete layout (matched against overcomplete 0.3.0): one safetensors file holding the
 * model's torch {@code state_dict} under its own names ({@code encoder.final_block.0.weight},
 * {@code dictionary._weights}, {@code dictionary.multiplier}, BatchNorm running statistics with
 * an int64 {@code num_batches_tracked}, ...), float32. This is the raw training state, so every
 * encoder and both variants round-trip exactly. Load in Python with
 * {@code model.load_state_dict(safetensors.torch.load_file(path))} on a model built with the same
 * arguments (recorded in the header's {@code topksae_config}). overcomplete's TopKSAE has no
 * input offset: a model with a non-zero preBias is refused here (use SAELens or sparsify).
 */
public final class OvercompleteFormat {
    /** Metadata key for BatchTopK's running threshold, a plain attribute in overcomplete (not in its state_dict). */
    public static final String RUNNING_THRESHOLD_KEY = "running_threshold";

    private OvercompleteFormat() {}

    public static void write(SAE sae, float[] preBias, Path file) throws IOException {
        if (preBias != null && !allZero(preBias)) {
            throw new IllegalArgumentException("overcomplete's TopKSAE has no input offset (b_dec) but this model"
                    + " subtracts a non-zero preBias (decoderBiasInit=mean): export the SAELens or sparsify layout");
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : sae.stateDict().entrySet()) {
            DType dt = e.getKey().endsWith("num_batches_tracked") ? DType.I64 : DType.F32;
            t.put(e.getKey(), Tensor.of(dt, e.getValue().shape(), CoreWeights.floats(e.getValue())));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(CoreWeights.CONFIG_KEY, sae.config().toJson());
        if (sae instanceof BatchTopKSAE b && b.runningThreshold() != null) {
            meta.put(RUNNING_THRESHOLD_KEY, Double.toString(b.runningThreshold()));
        }
        new SafetensorsFile(t, meta).write(file);
    }

    /**
     * Reads a state_dict file. {@code config} describes the model (null: use the file's
     * {@code topksae_config} metadata, present in every file this class writes). Names, shapes and
     * dtypes must match the model exactly. The model comes back in train mode, like torch's
     * {@code load_state_dict}: call {@code eval()} to fuse the dictionary.
     */
    public static SAE read(Path file, SAEConfig config) throws IOException {
        SafetensorsFile f = SafetensorsFile.read(file);
        SAEConfig cfg = config != null ? config : configFrom(f, file);
        SAE sae;
        try {
            sae = SAE.fromConfig(cfg);
        } catch (IllegalArgumentException e) {
            throw new MalformedSafetensorsException(
                    file + ": cannot build the model it describes: " + e.getMessage(), e);
        }
        Map<String, INDArray> own = sae.stateDict();
        WeightsCheck.onlyThese(f, "overcomplete", own.keySet());
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : own.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().shape();
            Tensor tensor = f.require(name).requireShape(name, shape);
            if (name.endsWith("num_batches_tracked")) {
                state.put(
                        name,
                        Nd4j.create(tensor.toDoubles(), shape, 'c')
                                .castTo(e.getValue().dataType()));
            } else {
                float[] v = WeightsCheck.floats(f, name, shape);
                state.put(
                        name,
                        (shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, shape, 'c'))
                                .castTo(e.getValue().dataType()));
            }
        }
        sae.loadStateDict(state);
        String thr = f.metadata().get(RUNNING_THRESHOLD_KEY);
        if (sae instanceof BatchTopKSAE b && thr != null) {
            b.setRunningThreshold(Double.parseDouble(thr));
        }
        return sae;
    }

    private static SAEConfig configFrom(SafetensorsFile f, Path file) throws MalformedSafetensorsException {
        String json = f.metadata().get(CoreWeights.CONFIG_KEY);
        if (json == null) {
            throw new MalformedSafetensorsException(file + " has no '" + CoreWeights.CONFIG_KEY + "' metadata;"
                    + " pass the model's SAEConfig (input shape, nbConcepts, topK, encoder, normalization)");
        }
        try {
            return SAEConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new MalformedSafetensorsException(file + ": bad '" + CoreWeights.CONFIG_KEY + "' metadata", e);
        }
    }

    static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }
}
