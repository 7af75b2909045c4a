package topksae.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.BatchTopKSAE;
import topksae.model.SAE;

class CoreExportRoundTripTest {
    @TempDir
    Path tmp;

    private static void sameOutputs(SAE a, float[] biasA, SAE b, float[] biasB) {
        INDArray x = ModelFixtures.inputs(20, a.inputDim(), 5);
        INDArray[] ra = ModelFixtures.run(a, biasA, x);
        INDArray[] rb = ModelFixtures.run(b, biasB, x);
        assertArrayEquals(CoreWeights.floats(ra[0]), CoreWeights.floats(rb[0]), "codes, bit for bit");
        assertArrayEquals(CoreWeights.floats(ra[1]), CoreWeights.floats(rb[1]), "reconstructions, bit for bit");
        assertTrue(
                ra[0].neq(0)
                                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                                .sumNumber()
                                .intValue()
                        > 0,
                "some codes fire");
    }

    @Test
    void saeLensRoundTripIsExact() throws IOException {
        SAE sae = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 12, 40, 4), 3);
        float[] bias = ModelFixtures.preBias(12);
        SaeLensFormat.write(CoreWeights.fromSae(sae, bias), tmp, Map.of("hook_name", "blocks.3.hook_resid_post"));
        TopKWeights w = SaeLensFormat.read(tmp);
        assertEquals(4, w.k());
        assertArrayEquals(bias, w.bDec());
        CoreWeights.Imported back = CoreWeights.toSae(w);
        assertArrayEquals(bias, back.preBias());
        assertTrue(assertThrows(IllegalArgumentException.class, back::saeWithoutOffset)
                .getMessage()
                .contains("non-zero b_dec"));
        assertEquals("identity", back.sae().config().normalization);
        SAE evalCopy = SAE.fromConfig(sae.config());
        evalCopy.loadStateDict(sae.stateDict());
        sameOutputs(evalCopy.eval(), bias, back.sae(), back.preBias());
        SaeLensFormat.write(CoreWeights.fromSae(back.sae(), back.preBias()), tmp.resolve("again"), Map.of());
        assertEquals(
                SafetensorsFile.read(tmp.resolve(SaeLensFormat.WEIGHTS)).tensors(),
                SafetensorsFile.read(tmp.resolve("again").resolve(SaeLensFormat.WEIGHTS))
                        .tensors(),
                "re-exporting the imported model gives the same tensors");
        assertTrue(sae.isTraining(), "exporting leaves a training model in train mode");
    }

    @Test
    void saeLensFilesHaveTheTensorsAndConfigOf6x() throws IOException {
        SAE sae = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 8, 24, 3), 1);
        SaeLensFormat.write(CoreWeights.fromSae(sae, null), tmp, Map.of("model_name", "gpt2"));
        SafetensorsFile f = SafetensorsFile.read(tmp.resolve("sae_weights.safetensors"));
        assertArrayEquals(new long[] {8, 24}, f.require("W_enc").shape());
        assertArrayEquals(new long[] {24}, f.require("b_enc").shape());
        assertArrayEquals(new long[] {24, 8}, f.require("W_dec").shape());
        assertArrayEquals(new float[8], f.require("b_dec").toFloats(), "no pre-bias: zeros");
        f.tensors().values().forEach(t -> assertEquals(DType.F32, t.dtype()));
        INDArray w = sae.stateDict().get("encoder.final_block.0.weight");
        assertEquals(
                w.getFloat(5, 2),
                f.require("W_enc").toFloats()[2 * 24 + 5],
                0f,
                "W_enc is the Linear weight transposed");
        ObjectNode cfg = JsonFiles.read(tmp.resolve("cfg.json"));
        assertEquals(
                List.of(
                        "d_in",
                        "d_sae",
                        "dtype",
                        "device",
                        "apply_b_dec_to_input",
                        "normalize_activations",
                        "reshape_activations",
                        "metadata",
                        "k",
                        "rescale_acts_by_decoder_norm",
                        "architecture"),
                List.copyOf(iter(cfg)));
        assertEquals("topk", cfg.get("architecture").asText());
        assertEquals(3, cfg.get("k").asInt());
        assertEquals("6.18.0", cfg.get("metadata").get("sae_lens_version").asText());
        assertEquals("gpt2", cfg.get("metadata").get("model_name").asText());
    }

    private static List<String> iter(ObjectNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void sparsifyRoundTripIsExact() throws IOException {
        SAE sae = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 10, 30, 5), 2)
                .eval();
        float[] bias = ModelFixtures.preBias(10);
        Path dir = SparsifyFormat.write(CoreWeights.fromSae(sae, bias), tmp, "layers.6");
        assertEquals(tmp.resolve("layers.6"), dir);
        SafetensorsFile f = SafetensorsFile.read(dir.resolve("sae.safetensors"));
        assertEquals(
                java.util.Set.of("encoder.weight", "encoder.bias", "W_dec", "b_dec"),
                f.tensors().keySet());
        assertArrayEquals(new long[] {30, 10}, f.require("encoder.weight").shape());
        ObjectNode cfg = JsonFiles.read(dir.resolve("cfg.json"));
        assertEquals(30, cfg.get("num_latents").asInt());
        assertEquals(10, cfg.get("d_in").asInt());
        assertEquals("topk", cfg.get("activation").asText());
        CoreWeights.Imported back = CoreWeights.toSae(SparsifyFormat.read(dir));
        sameOutputs(sae, bias, back.sae(), back.preBias());
        assertThrows(
                IllegalArgumentException.class,
                () -> SparsifyFormat.write(CoreWeights.fromSae(sae, null), tmp, "../up"));
    }

    @Test
    void importWithoutDecoderBiasHasNoPreBias() throws IOException {
        SAE sae = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 6, 12, 2), 1);
        SaeLensFormat.write(CoreWeights.fromSae(sae, null), tmp, Map.of());
        CoreWeights.Imported back = CoreWeights.toSae(SaeLensFormat.read(tmp));
        assertNull(back.preBias());
        assertEquals(back.sae(), back.saeWithoutOffset());
    }

    @Test
    void overcompleteStateRoundTripsBitForBitForEveryEncoder() throws IOException {
        for (String enc : List.of("linear", "mlp_bn_1", "mlp_ln_3")) {
            SAE sae = ModelFixtures.trained(ModelFixtures.config("topk", enc, 8, 24, 3), 2);
            Path p = tmp.resolve(enc + ".safetensors");
            OvercompleteFormat.write(sae, null, p);
            SAE back = OvercompleteFormat.read(p, null);
            assertEquals(sae.config().toJson(), back.config().toJson(), enc);
            assertEquals(sae.stateDict().keySet(), back.stateDict().keySet());
            assertArrayEquals(sae.flatState(), back.flatState(), enc);
            sameOutputs(sae.eval(), null, back.eval(), null);
        }
        SafetensorsFile f = SafetensorsFile.read(tmp.resolve("mlp_bn_1.safetensors"));
        assertEquals(
                DType.I64,
                f.require("encoder.final_block.1.num_batches_tracked").dtype());
        assertEquals(0, f.require("dictionary.multiplier").shape().length, "multiplier is a 0-d tensor");
    }

    @Test
    void overcompleteKeepsTheBatchTopKRunningThreshold() throws IOException {
        SAE sae = ModelFixtures.trained(ModelFixtures.config("batchtopk", "linear", 8, 24, 16), 3);
        Path p = tmp.resolve("b.safetensors");
        OvercompleteFormat.write(sae, null, p);
        BatchTopKSAE back = (BatchTopKSAE) OvercompleteFormat.read(p, null);
        assertEquals(((BatchTopKSAE) sae).runningThreshold(), back.runningThreshold());
        sameOutputs(sae.eval(), null, back.eval(), null);
    }

    @Test
    void batchTopKBecomesAJumpReluWithTheSameSelectionRule() throws IOException {
        for (double thr : new double[] {0.37f, 1e-30, 0.0, -0.2, 0.1}) {
            float t = Math.nextDown(CoreWeights.ceilToFloat(thr));
            for (float v : new float[] {(float) thr, Math.nextUp((float) thr), Math.nextDown((float) thr), 0f, 1f}) {
                assertEquals(
                        Math.max(v, 0f) >= thr || thr <= 0,
                        v > t || (thr <= 0 && v <= 0),
                        "value " + v + " against threshold " + thr);
            }
        }
        SAE batch = ModelFixtures.trained(ModelFixtures.config("batchtopk", "linear", 8, 24, 16), 2)
                .eval();
        CoreWeights.batchTopKToSaeLens(batch, null, tmp, Map.of());
        SafetensorsFile f = SafetensorsFile.read(tmp.resolve("sae_weights.safetensors"));
        float thr = (float) (double) ((BatchTopKSAE) batch).runningThreshold();
        assertEquals(Math.nextDown(thr), f.require("threshold").toFloats()[5], 0f);
        assertEquals(
                "jumprelu",
                JsonFiles.read(tmp.resolve("cfg.json")).get("architecture").asText());
        SAE topk = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 8, 24, 3), 0);
        assertThrows(IllegalArgumentException.class, () -> CoreWeights.batchTopKToSaeLens(topk, null, tmp, Map.of()));
    }

    @Test
    void refusesWhatALayoutCannotHold() {
        SAE mlp = ModelFixtures.trained(ModelFixtures.config("topk", "mlp_ln_1", 8, 24, 3), 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CoreWeights.fromSae(mlp, null))
                .getMessage()
                .contains("overcomplete layout"));
        SAE batch = ModelFixtures.trained(ModelFixtures.config("batchtopk", "linear", 8, 24, 16), 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CoreWeights.fromSae(batch, null))
                .getMessage()
                .contains("global threshold"));
        SAE lin = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 8, 24, 3), 0);
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> OvercompleteFormat.write(lin, ModelFixtures.preBias(8), tmp.resolve("x.safetensors")))
                .getMessage()
                .contains("no input offset"));
    }

    @Test
    void overcompleteFileWithoutConfigNeedsOne() throws IOException {
        SAE sae = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 8, 24, 3), 1);
        Path p = tmp.resolve("plain.safetensors");
        Map<String, Tensor> t = new java.util.LinkedHashMap<>(SafetensorsFileFixtures.stateTensors(sae));
        new SafetensorsFile(t, Map.of()).write(p);
        assertTrue(assertThrows(MalformedSafetensorsException.class, () -> OvercompleteFormat.read(p, null))
                .getMessage()
                .contains("pass the model's SAEConfig"));
        assertArrayEquals(
                sae.flatState(), OvercompleteFormat.read(p, sae.config()).flatState());
        assertTrue(assertThrows(
                        MalformedSafetensorsException.class,
                        () -> OvercompleteFormat.read(p, ModelFixtures.config("topk", "linear", 8, 32, 3)))
                .getMessage()
                .contains("has shape"));
    }
}
