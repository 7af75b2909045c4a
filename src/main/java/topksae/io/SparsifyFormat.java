package topksae.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * EleutherAI sparsify layout (matched against sparsify 1.3.0, {@code SparseCoder.save_to_disk}):
 * {@code <root>/<hookpoint>/sae.safetensors} holding float32 {@code encoder.weight}
 * [num_latents, d_in], {@code encoder.bias} [num_latents], {@code W_dec} [num_latents, d_in],
 * {@code b_dec} [d_in], and {@code cfg.json} with the {@code SparseCoderConfig} fields plus
 * {@code d_in}. Loads with {@code SparseCoder.load_from_disk(root / hookpoint)} (or
 * {@code Sae.load_many(root, local=True)}). sparsify always subtracts b_dec from the input.
 */
public final class SparsifyFormat {
    public static final String WEIGHTS = "sae.safetensors";
    public static final String CONFIG = "cfg.json";

    private SparsifyFormat() {}

    /** Writes {@code w} into {@code root/hookpoint}; returns that folder. */
    public static Path write(TopKWeights w, Path root, String hookpoint) throws IOException {
        if (hookpoint == null
                || hookpoint.isEmpty()
                || hookpoint.contains("/")
                || hookpoint.contains("\\")
                || hookpoint.startsWith(".")) {
            throw new IllegalArgumentException(
                    "hookpoint must be a plain folder name such as 'layers.6', got '" + hookpoint + "'");
        }
        if (!w.applyBDecToInput() && !w.hasZeroDecoderBias()) {
            throw new IllegalArgumentException("sparsify always subtracts b_dec from the input; a model with a"
                    + " non-zero b_dec that is not applied to the input cannot be written in this layout");
        }
        Path dir = root.resolve(hookpoint);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("encoder.weight", Tensor.f32(new long[] {w.nbConcepts(), w.dIn()}, w.wEnc()));
        t.put("encoder.bias", Tensor.f32(new long[] {w.nbConcepts()}, w.bEnc()));
        t.put("W_dec", Tensor.f32(new long[] {w.nbConcepts(), w.dIn()}, w.wDec()));
        t.put("b_dec", Tensor.f32(new long[] {w.dIn()}, w.bDec()));
        Map<String, String> meta = new LinkedHashMap<>(w.metadata());
        meta.put("format", "pt");
        new SafetensorsFile(t, meta).write(dir.resolve(WEIGHTS));
        JsonFiles.write(dir.resolve(CONFIG), config(w));
        return dir;
    }

    private static ObjectNode config(TopKWeights w) {
        ObjectNode c = JsonFiles.JSON.createObjectNode();
        c.put("activation", "topk");
        c.put("expansion_factor", w.nbConcepts() % w.dIn() == 0 ? w.nbConcepts() / w.dIn() : 32);
        c.put("normalize_decoder", true);
        c.put("num_latents", w.nbConcepts());
        c.put("k", w.k());
        c.put("multi_topk", false);
        c.put("skip_connection", false);
        c.put("transcode", false);
        c.put("d_in", w.dIn());
        return c;
    }

    /** Reads one hookpoint folder ({@code root/hookpoint}). */
    public static TopKWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        ObjectNode cfg = JsonFiles.read(cfgFile);
        String act = JsonFiles.text(cfg, "activation", "topk");
        if (!act.equals("topk")) {
            throw new MalformedSafetensorsException(
                    cfgFile + ": activation '" + act + "' is not supported (only topk)");
        }
        if (JsonFiles.bool(cfg, "skip_connection", false, cfgFile)
                || JsonFiles.bool(cfg, "transcode", false, cfgFile)) {
            throw new MalformedSafetensorsException(cfgFile + ": skip connections and transcoders are not supported");
        }
        int dIn = JsonFiles.positiveInt(cfg, "d_in", cfgFile);
        int k = cfg.has("k") ? JsonFiles.positiveInt(cfg, "k", cfgFile) : 32;
        int n = cfg.path("num_latents").asInt(0) > 0
                ? JsonFiles.positiveInt(cfg, "num_latents", cfgFile)
                : Math.multiplyExact(
                        dIn,
                        cfg.has("expansion_factor") ? JsonFiles.positiveInt(cfg, "expansion_factor", cfgFile) : 32);
        SafetensorsFile f = SafetensorsFile.read(dir.resolve(WEIGHTS));
        WeightsCheck.onlyThese(f, "sparsify", Set.of("encoder.weight", "encoder.bias", "W_dec", "b_dec"));
        return new TopKWeights(
                dIn,
                n,
                k,
                WeightsCheck.floats(f, "encoder.weight", n, dIn),
                WeightsCheck.floats(f, "encoder.bias", n),
                WeightsCheck.floats(f, "W_dec", n, dIn),
                WeightsCheck.floats(f, "b_dec", dIn),
                true,
                f.metadata());
    }
}
