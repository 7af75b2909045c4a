package topksae.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import topksae.io.SafetensorsFile;
import topksae.io.Tensor;

/**
 * The other things a model writer can write, chosen by the writer option {@code format}, and the
 * layouts {@code TopKSAEModel.load} recognizes besides its own. They let a client that reaches the
 * JVM only through Spark ML's writer and reader (Spark Connect) export, import and read a fit's
 * summary on any Hadoop file system:
 * <ul>
 * <li>{@code model.write().option("format", "saelens").save(dir)}, with option {@code metadata} a
 * JSON object of strings for cfg.json's metadata; {@code "sparsify"} writes the hookpoint folder
 * {@code dir} (its name is the hookpoint); {@code "overcomplete"} writes the file {@code dir};</li>
 * <li>{@code "dictionary"} writes {@code dir/dictionary.safetensors}: the normalized dictionary,
 * tensor "dictionary" F32 [nbConcepts, dim] (what {@code dictionary()} returns);</li>
 * <li>{@code "summary"} writes {@code dir/summary.json}: {"rounds": [...], "totals": {...}}, the
 * training summary's round records and its scalar values by name (a model without one fails);</li>
 * <li>option {@code deleteOnExit=true} removes the output when the server's JVM exits (scratch
 * copies);</li>
 * <li>{@code TopKSAEModel.load(path)} of a SAELens folder, a sparsify hookpoint folder or an
 * overcomplete file with topksae_config metadata imports it ({@link ModelFiles}).</li>
 * </ul>
 * The formats write to a local temporary folder first, then copy it to the target path.
 */
final class ModelOutputs {
    static final String SUMMARY_FILE = "summary.json";
    static final String DICTIONARY_FILE = "dictionary.safetensors";
    static final String DICTIONARY_TENSOR = "dictionary";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FORMATS = Set.of("saelens", "sparsify", "overcomplete", "summary", "dictionary");

    private ModelOutputs() {}

    /** True if the writer options ask for something else than the model's own layout. */
    static boolean isExport(Map<String, String> options) {
        String f = options.getOrDefault("format", "model");
        if (f.equals("model")) {
            return false;
        }
        if (!FORMATS.contains(f)) {
            throw new IllegalArgumentException("unknown model writer format '" + f + "'; one of model, "
                    + String.join(", ", FORMATS.stream().sorted().toList()));
        }
        return true;
    }

    /** Writes {@code options.format} of the model to {@code path} (a Hadoop path or URI). */
    static void write(TopKSAEModel model, Map<String, String> options, String path, Configuration conf) {
        String format = options.get("format");
        try {
            Path tmp = Files.createTempDirectory("topksae-out-");
            try {
                Path local = tmp.resolve(new org.apache.hadoop.fs.Path(path).getName());
                writeLocal(model, format, options, local);
                org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(path);
                FileSystem fs = target.getFileSystem(conf);
                // the raw local file system: no .crc files beside the exported ones
                FileSystem copier = fs instanceof LocalFileSystem lfs ? lfs.getRaw() : fs;
                copier.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
                if (Boolean.parseBoolean(options.getOrDefault("deleteonexit", "false"))) {
                    fs.deleteOnExit(target);
                }
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the " + format + " output to " + path + ": " + e.getMessage(), e);
        }
    }

    private static void writeLocal(TopKSAEModel model, String format, Map<String, String> options, Path local)
            throws IOException {
        switch (format) {
            case "saelens" -> ModelFiles.exportSaeLens(model, local.toString(), metadata(options.get("metadata")));
            case "sparsify" ->
                ModelFiles.exportSparsify(
                        model, local.getParent().toString(), local.getFileName().toString());
            case "overcomplete" -> ModelFiles.exportOvercomplete(model, local.toString());
            case "summary" -> {
                if (!model.hasSummary()) {
                    throw new IllegalStateException("no training summary: this model was loaded or built, not fitted "
                            + "(only the model returned by fit has one)");
                }
                Files.createDirectories(local);
                Files.writeString(local.resolve(SUMMARY_FILE), summaryJson(model.summary()), StandardCharsets.UTF_8);
            }
            case "dictionary" -> {
                Files.createDirectories(local);
                float[][] d = model.dictionary();
                float[] flat = new float[d.length * d[0].length];
                for (int i = 0; i < d.length; i++) {
                    System.arraycopy(d[i], 0, flat, i * d[0].length, d[0].length);
                }
                Tensor t = Tensor.f32(new long[] {d.length, d[0].length}, flat);
                new SafetensorsFile(Map.of(DICTIONARY_TENSOR, t), Map.of()).write(local.resolve(DICTIONARY_FILE));
            }
            default -> throw new IllegalArgumentException("unknown format " + format);
        }
    }

    private static Map<String, String> metadata(String json) throws JsonProcessingException {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
    }

    /** {"rounds": one object per RoundRecord, "totals": the summary's public scalar getters by name}. */
    static String summaryJson(TopKSAETrainingSummary s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("rounds", s.rounds().stream().map(ModelOutputs::recordFields).toList());
        Map<String, Object> totals = new TreeMap<>();
        for (Method m : TopKSAETrainingSummary.class.getDeclaredMethods()) {
            if (m.getParameterCount() == 0
                    && Modifier.isPublic(m.getModifiers())
                    && !Modifier.isStatic(m.getModifiers())
                    && scalar(m.getReturnType())
                    && !List.of("toString", "hashCode").contains(m.getName())) {
                totals.put(m.getName(), invoke(m, s));
            }
        }
        root.put("totals", totals);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> recordFields(Record r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            out.put(c.getName(), invoke(c.getAccessor(), r));
        }
        return out;
    }

    private static boolean scalar(Class<?> t) {
        return t.isPrimitive() && t != void.class || t == String.class;
    }

    private static Object invoke(Method m, Object target) {
        try {
            Object v = m.invoke(target);
            return v instanceof Double d && !Double.isFinite(d) ? null : v;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The model a SAELens folder, a sparsify hookpoint folder or an overcomplete file at
     * {@code path} holds; null when {@code path} is missing or has {@code metadata/} (the model's
     * own layout); IllegalArgumentException naming the layouts when it is none of them.
     */
    static TopKSAEModel importIfForeign(String path, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p) || fs.exists(new org.apache.hadoop.fs.Path(p, "metadata"))) {
                return null;
            }
            String kind = fs.isFile(p)
                    ? (path.endsWith(".safetensors") ? "overcomplete" : null)
                    : fs.exists(new org.apache.hadoop.fs.Path(p, "sae_weights.safetensors"))
                            ? "saelens"
                            : fs.exists(new org.apache.hadoop.fs.Path(p, "sae.safetensors")) ? "sparsify" : null;
            if (kind == null) {
                throw new IllegalArgumentException(path + " is neither a saved TopKSAEModel (metadata/ and "
                        + ModelPersistence.DATA_FILE + ") nor a SAELens folder (sae_weights.safetensors), a sparsify "
                        + "hookpoint folder (sae.safetensors) or an overcomplete .safetensors file");
            }
            Path tmp = Files.createTempDirectory("topksae-in-");
            try {
                Path local = tmp.resolve(p.getName());
                fs.copyToLocalFile(false, p, new org.apache.hadoop.fs.Path(local.toUri()), true);
                return switch (kind) {
                    case "saelens" -> ModelFiles.importSaeLens(local.toString());
                    case "sparsify" -> ModelFiles.importSparsify(local.toString());
                    default -> ModelFiles.importOvercomplete(local.toString(), (String) null);
                };
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import " + path + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
