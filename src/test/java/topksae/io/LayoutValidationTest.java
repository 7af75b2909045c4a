package topksae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SAELens and sparsify folders that are damaged or hold options the model cannot reproduce. */
class LayoutValidationTest {
    static final int D = 4;
    static final int N = 6;

    @TempDir
    Path tmp;

    TopKWeights w;

    @BeforeEach
    void weights() {
        float[] enc = new float[N * D];
        float[] dec = new float[N * D];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (i % 7) - 3;
            dec[i] = (i % 5) * 0.5f;
        }
        w = new TopKWeights(D, N, 2, enc, new float[N], dec, new float[] {1, 0, 0, 0}, true, Map.of());
    }

    private void rejects(Class<? extends Exception> type, ThrowingRead read, String fragment) {
        Exception e = assertThrows(type, read::run);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    interface ThrowingRead {
        void run() throws Exception;
    }

    private void editCfg(String key, Object value) throws IOException {
        ObjectNode c = JsonFiles.read(tmp.resolve("cfg.json"));
        c.set(key, JsonFiles.JSON.valueToTree(value));
        JsonFiles.write(tmp.resolve("cfg.json"), c);
    }

    private void replaceTensor(String file, String name, Tensor t) throws IOException {
        SafetensorsFile f = SafetensorsFile.read(tmp.resolve(file));
        Map<String, Tensor> m = new LinkedHashMap<>(f.tensors());
        if (t == null) {
            m.remove(name);
        } else {
            m.put(name, t);
        }
        new SafetensorsFile(m, f.metadata()).write(tmp.resolve(file));
    }

    @Test
    void acceptsTheBaselineAndHalfPrecisionWeights() throws IOException {
        SaeLensFormat.write(w, tmp, Map.of());
        assertEquals(2, SaeLensFormat.read(tmp).k());
        replaceTensor("sae_weights.safetensors", "W_dec", Tensor.of(DType.BF16, new long[] {N, D}, w.wDec()));
        assertEquals(w.wDec()[7], SaeLensFormat.read(tmp).wDec()[7], 0f, "small halves convert exactly");
    }

    @Test
    void saeLensConfigProblems() throws IOException {
        SaeLensFormat.write(w, tmp, Map.of());
        editCfg("architecture", "jumprelu");
        rejects(MalformedSafetensorsException.class, () -> SaeLensFormat.read(tmp), "architecture 'jumprelu'");
        editCfg("architecture", "topk");
        editCfg("rescale_acts_by_decoder_norm", true);
        rejects(MalformedSafetensorsException.class, () -> SaeLensFormat.read(tmp), "fold_W_dec_norm");
        editCfg("rescale_acts_by_decoder_norm", false);
        editCfg("normalize_activations", "layer_norm");
        rejects(
                MalformedSafetensorsException.class,
                () -> SaeLensFormat.read(tmp),
                "normalize_activations='layer_norm'");
        editCfg("normalize_activations", "none");
        editCfg("k", 0);
        rejects(MalformedSafetensorsException.class, () -> SaeLensFormat.read(tmp), "'k' must be a positive integer");
        editCfg("k", 2);
        editCfg("d_sae", 7);
        rejects(
                MalformedSafetensorsException.class,
                () -> SaeLensFormat.read(tmp),
                "'W_enc' has shape [4, 6], expected [4, 7]");
    }

    @Test
    void preSixConfigsWithTopKActivationAreRead() throws IOException {
        SaeLensFormat.write(w, tmp, Map.of());
        ObjectNode c = JsonFiles.read(tmp.resolve("cfg.json"));
        c.remove("architecture");
        c.remove("k");
        c.put("activation_fn_str", "topk");
        c.putObject("activation_fn_kwargs").put("k", 3);
        JsonFiles.write(tmp.resolve("cfg.json"), c);
        assertEquals(3, SaeLensFormat.read(tmp).k());
    }

    @Test
    void saeLensTensorProblems() throws IOException {
        SaeLensFormat.write(w, tmp, Map.of());
        replaceTensor("sae_weights.safetensors", "b_enc", Tensor.of(DType.I32, new long[] {N}, new float[N]));
        rejects(MalformedSafetensorsException.class, () -> SaeLensFormat.read(tmp), "'b_enc' has dtype I32");
        replaceTensor("sae_weights.safetensors", "b_enc", null);
        rejects(MalformedSafetensorsException.class, () -> SaeLensFormat.read(tmp), "missing tensor 'b_enc'");
        replaceTensor("sae_weights.safetensors", "b_enc", Tensor.f32(new long[] {N}, new float[N]));
        replaceTensor("sae_weights.safetensors", "threshold", Tensor.f32(new long[] {N}, new float[N]));
        rejects(MalformedSafetensorsException.class, () -> SaeLensFormat.read(tmp), "unexpected tensors [threshold]");
        replaceTensor("sae_weights.safetensors", "threshold", null);
        replaceTensor("sae_weights.safetensors", "W_dec", Tensor.f32(new long[] {D, N}, w.wDec()));
        rejects(
                MalformedSafetensorsException.class,
                () -> SaeLensFormat.read(tmp),
                "'W_dec' has shape [4, 6], expected [6, 4]");
    }

    @Test
    void decoderBiasNotAppliedToTheInputIsRefusedOnImport() throws IOException {
        SaeLensFormat.write(w, tmp, Map.of());
        editCfg("apply_b_dec_to_input", false);
        TopKWeights read = SaeLensFormat.read(tmp);
        rejects(IllegalArgumentException.class, () -> CoreWeights.toSae(read), "apply_b_dec_to_input=false");
        rejects(
                IllegalArgumentException.class,
                () -> SparsifyFormat.write(read, tmp, "layers.0"),
                "always subtracts b_dec");
    }

    @Test
    void sparsifyConfigProblems() throws IOException {
        Path dir = SparsifyFormat.write(w, tmp, "layers.1");
        ObjectNode c = JsonFiles.read(dir.resolve("cfg.json"));
        c.put("activation", "groupmax");
        JsonFiles.write(dir.resolve("cfg.json"), c);
        rejects(MalformedSafetensorsException.class, () -> SparsifyFormat.read(dir), "activation 'groupmax'");
        c.put("activation", "topk").put("skip_connection", true);
        JsonFiles.write(dir.resolve("cfg.json"), c);
        rejects(MalformedSafetensorsException.class, () -> SparsifyFormat.read(dir), "skip connections");
        c.put("skip_connection", false).put("num_latents", 0).put("expansion_factor", 2);
        JsonFiles.write(dir.resolve("cfg.json"), c);
        rejects(MalformedSafetensorsException.class, () -> SparsifyFormat.read(dir), "expected [8, 4]");
        c.remove("d_in");
        JsonFiles.write(dir.resolve("cfg.json"), c);
        rejects(
                MalformedSafetensorsException.class,
                () -> SparsifyFormat.read(dir),
                "'d_in' must be a positive integer");
        rejects(
                MalformedSafetensorsException.class,
                () -> SparsifyFormat.read(tmp.resolve("layers.9")),
                "missing config file");
    }
}
