package topksae.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.ml.util.Identifiable;
import topksae.io.CoreWeights;
import topksae.io.OvercompleteFormat;
import topksae.io.SaeLensFormat;
import topksae.io.SparsifyFormat;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * Export a {@link TopKSAEModel} to the layouts other tools load, and import those files back as a
 * model that can {@code transform} on Spark (the formats themselves live in {@code topksae.io}).
 * Paths are local file system paths (on Databricks, {@code /dbfs/...} or a Volume path). String
 * overloads serve Python. Imported models carry their real params (nbConcepts, topK, variant,
 * encoderModule, normalization, useMultiplier).
 * <ul>
 * <li>SAELens: {@code dir/sae_weights.safetensors} + {@code dir/cfg.json}; the model's preBias is
 * SAELens' {@code b_dec} (zeros when it has none); BatchTopK models become JumpReLU SAEs.</li>
 * <li>sparsify: {@code root/<hookpoint>/sae.safetensors} + {@code cfg.json}, same weights.</li>
 * <li>overcomplete: one state_dict file with torch names; raw training state, any encoder.</li>
 * </ul>
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** TopK models as SAELens {@code topk}; BatchTopK models as SAELens {@code jumprelu} (same eval codes). */
    public static void exportSaeLens(TopKSAEModel model, String dir, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = metadata == null ? Map.of() : metadata;
        if ("batchtopk".equals(model.config().variant)) {
            CoreWeights.batchTopKToSaeLens(model.sae(), model.preBias(), Path.of(dir), meta);
        } else {
            SaeLensFormat.write(CoreWeights.fromSae(model.sae(), model.preBias()), Path.of(dir), meta);
        }
    }

    public static String exportSparsify(TopKSAEModel model, String root, String hookpoint) throws IOException {
        return SparsifyFormat.write(CoreWeights.fromSae(model.sae(), model.preBias()), Path.of(root), hookpoint)
                .toString();
    }

    /** Writes the raw state (not the eval-mode copy, whose dictionary has been renormalized in place). */
    public static void exportOvercomplete(TopKSAEModel model, String file) throws IOException {
        SAE raw = SAE.fromConfig(model.config());
        raw.loadFlatState(model.flatState());
        OvercompleteFormat.write(raw, model.preBias(), Path.of(file));
    }

    public static TopKSAEModel importSaeLens(String dir) throws IOException {
        return toModel(CoreWeights.toSae(SaeLensFormat.read(Path.of(dir))));
    }

    /** {@code dir} is one hookpoint folder, e.g. {@code root/layers.6}. */
    public static TopKSAEModel importSparsify(String dir) throws IOException {
        return toModel(CoreWeights.toSae(SparsifyFormat.read(Path.of(dir))));
    }

    /** {@code config} may be null when the file carries topksae_config metadata (our exports do). */
    public static TopKSAEModel importOvercomplete(String file, SAEConfig config) throws IOException {
        return toModel(new CoreWeights.Imported(OvercompleteFormat.read(Path.of(file), config), null));
    }

    /** Same, with the config as JSON ({@link SAEConfig#toJson()}), for Python. */
    public static TopKSAEModel importOvercomplete(String file, String configJson) throws IOException {
        return importOvercomplete(file, configJson == null ? null : SAEConfig.fromJson(configJson));
    }

    private static TopKSAEModel toModel(CoreWeights.Imported m) {
        return new TopKSAEModel(
                Identifiable.randomUID("topksae"), m.sae().config(), m.sae().flatState(), m.preBias());
    }
}
