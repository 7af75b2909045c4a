package topksae.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * SAELens layout (matched against SAELens 6.18.0, {@code TopKSAE} / {@code TopKSAEConfig}):
 * a folder with {@code sae_weights.safetensors} holding float32 {@code W_enc} [d_in, d_sae],
 * {@code b_enc} [d_sae], {@code W_dec} [d_sae, d_in], {@code b_dec} [d_in], and {@code cfg.json}
 * with {@code "architecture": "topk"}. Loads with {@code SAE.load_from_disk(folder)}.
 */
public final class SaeLensFormat {
    public static final String WEIGHTS = "sae_weights.safetensors";
    public static final String CONFIG = "cfg.json";
    /** The SAELens release whose layout this writes; configs claiming 6.x skip its pre-6 conversion. */
    public static final String SAE_LENS_VERSION = "6.18.0";

    private SaeLensFormat() {}

    /** Writes {@code w} into {@code dir}; {@code extraMetadata} (e.g. model_name, hook_name) goes in cfg.metadata. */
    public static void write(TopKWeights w, Path dir, Map<String, String> extraMetadata) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("W_enc", Tensor.f32(new long[] {w.dIn(), w.nbConcepts()}, w.wEncTransposed()));
        t.put("b_enc", Tensor.f32(new long[] {w.nbConcepts()}, w.bEnc()));
        t.put("W_dec", Tensor.f32(new long[] {w.nbConcepts(), w.dIn()}, w.wDec()));
        t.put("b_dec", Tensor.f32(new long[] {w.dIn()}, w.bDec()));
        Map<String, String> meta = new LinkedHashMap<>(w.metadata());
        meta.put("format", "pt");
        new SafetensorsFile(t, meta).write(dir.resolve(WEIGHTS));
        JsonFiles.write(dir.resolve(CONFIG), config(w, extraMetadata));
    }

    /**
     * Writes a JumpReLU SAE ({@code "architecture": "jumprelu"}, SAELens 6.18.0 {@code JumpReLUSAE}):
     * the TopK tensors of {@code w} (whose k is ignored) plus {@code threshold} [d_sae]; SAELens keeps
     * {@code relu(pre) * (pre > threshold)}.
     */
    public static void writeJumpRelu(TopKWeights w, float[] threshold, Path dir, Map<String, String> extraMetadata)
            throws IOException {
        if (threshold.length != w.nbConcepts()) {
            throw new IllegalArgumentException(
                    "threshold needs " + w.nbConcepts() + " values, got " + threshold.length);
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("W_enc", Tensor.f32(new long[] {w.dIn(), w.nbConcepts()}, w.wEncTransposed()));
        t.put("b_enc", Tensor.f32(new long[] {w.nbConcepts()}, w.bEnc()));
        t.put("W_dec", Tensor.f32(new long[] {w.nbConcepts(), w.dIn()}, w.wDec()));
        t.put("b_dec", Tensor.f32(new long[] {w.dIn()}, w.bDec()));
        t.put("threshold", Tensor.f32(new long[] {w.nbConcepts()}, threshold));
        Map<String, String> meta = new LinkedHashMap<>(w.metadata());
        meta.put("format", "pt");
        new SafetensorsFile(t, meta).write(dir.resolve(WEIGHTS));
        ObjectNode c = config(w, extraMetadata);
        c.remove("k");
        c.remove("rescale_acts_by_decoder_norm");
        c.put("architecture", "jumprelu");
        JsonFiles.write(dir.resolve(CONFIG), c);
    }

    private static ObjectNode config(TopKWeights w, Map<String, String> extraMetadata) {
        ObjectNode c = JsonFiles.JSON.createObjectNode();
        c.put("d_in", w.dIn());
        c.put("d_sae", w.nbConcepts());
        c.put("dtype", "float32");
        c.put("device", "cpu");
        c.put("apply_b_dec_to_input", w.applyBDecToInput());
        c.put("normalize_activations", "none");
        c.put("reshape_activations", "none");
        ObjectNode m = c.putObject("metadata");
        m.put("sae_lens_version", SAE_LENS_VERSION);
        m.putNull("sae_lens_training_version");
        extraMetadata.forEach(m::put);
        c.put("k", w.k());
        c.put("rescale_acts_by_decoder_norm", false);
        c.put("architecture", "topk");
        return c;
    }

    /** Reads a SAELens TopK folder; rejects other architectures and options it cannot reproduce exactly. */
    public static TopKWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        ObjectNode cfg = JsonFiles.read(cfgFile);
        int k = topK(cfg, cfgFile);
        int dIn = JsonFiles.positiveInt(cfg, "d_in", cfgFile);
        int n = JsonFiles.positiveInt(cfg, "d_sae", cfgFile);
        requireOption(cfg, "normalize_activations", "none", cfgFile);
        requireOption(cfg, "reshape_activations", "none", cfgFile);
        if (JsonFiles.bool(cfg, "rescale_acts_by_decoder_norm", false, cfgFile)) {
            throw new MalformedSafetensorsException(cfgFile + ": rescale_acts_by_decoder_norm=true is not supported;"
                    + " fold the decoder norms first (SAELens: sae.fold_W_dec_norm()) and save again");
        }
        boolean applyBDec = JsonFiles.bool(cfg, "apply_b_dec_to_input", true, cfgFile);
        SafetensorsFile f = SafetensorsFile.read(dir.resolve(WEIGHTS));
        WeightsCheck.onlyThese(f, "SAELens", Set.of("W_enc", "b_enc", "W_dec", "b_dec"));
        float[] wEncT = WeightsCheck.floats(f, "W_enc", dIn, n);
        return new TopKWeights(
                dIn,
                n,
                k,
                TopKWeights.transpose(wEncT, dIn, n),
                WeightsCheck.floats(f, "b_enc", n),
                WeightsCheck.floats(f, "W_dec", n, dIn),
                WeightsCheck.floats(f, "b_dec", dIn),
                applyBDec,
                f.metadata());
    }

    /** k from a 6.x {@code "architecture": "topk"} config, or from a pre-6 {@code activation_fn} one. */
    private static int topK(ObjectNode cfg, Path file) throws MalformedSafetensorsException {
        String arch = JsonFiles.text(cfg, "architecture", "standard");
        String act = JsonFiles.text(cfg, "activation_fn", JsonFiles.text(cfg, "activation_fn_str", ""));
        if (arch.equals("topk")) {
            return JsonFiles.positiveInt(cfg, "k", file);
        }
        if (arch.equals("standard") && act.equals("topk") && cfg.get("activation_fn_kwargs") instanceof ObjectNode kw) {
            return JsonFiles.positiveInt(kw, "k", file);
        }
        throw new MalformedSafetensorsException(
                file + ": architecture '" + arch + "' is not supported (only TopK SAEs: \"architecture\": \"topk\")");
    }

    private static void requireOption(ObjectNode cfg, String key, String only, Path file)
            throws MalformedSafetensorsException {
        String v = JsonFiles.text(cfg, key, only);
        if (!v.equals(only) && !(key.equals("normalize_activations") && v.equals("false"))) {
            throw new MalformedSafetensorsException(
                    file + ": " + key + "='" + v + "' is not supported (only '" + only + "')");
        }
    }
}
