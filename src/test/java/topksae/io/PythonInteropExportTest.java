package topksae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.SAE;

/**
 * Writes the three export layouts of two small trained models, plus inputs and this JVM's codes
 * and reconstructions, under target/interop-exports. src/test/python/test_interop_exports.py
 * (run after the Java tests by scripts/test.sh) loads them with the Python safetensors package
 * and numpy and must reproduce the same codes and reconstructions.
 */
class PythonInteropExportTest {
    static final Path OUT = Path.of(System.getProperty("basedir", "."), "target", "interop-exports");

    @Test
    void writesExportsAndReferenceOutputs() throws IOException {
        Files.createDirectories(OUT);
        SAE withBias = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 16, 48, 5), 4)
                .eval();
        float[] bias = ModelFixtures.preBias(16);
        SaeLensFormat.write(
                CoreWeights.fromSae(withBias, bias),
                OUT.resolve("saelens"),
                Map.of("model_name", "synthetic", "hook_name", "blocks.0.hook_resid_post"));
        SparsifyFormat.write(CoreWeights.fromSae(withBias, bias), OUT.resolve("sparsify"), "layers.0");

        SAE plain = ModelFixtures.trained(ModelFixtures.config("topk", "linear", 16, 48, 5), 4);
        OvercompleteFormat.write(plain, null, OUT.resolve("overcomplete.safetensors"));
        plain.eval();

        SAE batch = ModelFixtures.trained(ModelFixtures.config("batchtopk", "linear", 16, 48, 64), 4)
                .eval();
        CoreWeights.batchTopKToSaeLens(batch, bias, OUT.resolve("saelens-jumprelu"), Map.of());

        INDArray x = ModelFixtures.inputs(64, 16, 99);
        INDArray[] jump = ModelFixtures.run(batch, bias, x);
        INDArray[] biased = ModelFixtures.run(withBias, bias, x);
        INDArray[] unbiased = ModelFixtures.run(plain, null, x);
        Map<String, Tensor> ref = new LinkedHashMap<>();
        ref.put("x", tensor(x));
        ref.put("saelens.codes", tensor(biased[0]));
        ref.put("saelens.x_hat", tensor(biased[1]));
        ref.put("overcomplete.codes", tensor(unbiased[0]));
        ref.put("overcomplete.x_hat", tensor(unbiased[1]));
        ref.put("jumprelu.codes", tensor(jump[0]));
        ref.put("jumprelu.x_hat", tensor(jump[1]));
        new SafetensorsFile(ref, Map.of("k", "5")).write(OUT.resolve("reference.safetensors"));

        SafetensorsFile back = SafetensorsFile.read(OUT.resolve("reference.safetensors"));
        assertEquals(7, back.tensors().size());
        float[] codes = back.require("jumprelu.codes").toFloats();
        long active = 0;
        for (float c : codes) {
            active += c != 0 ? 1 : 0;
        }
        assertTrue(active > 0 && active < codes.length, "the batch threshold keeps some codes, not all: " + active);
        assertTrue(Files.isRegularFile(OUT.resolve("sparsify/layers.0/sae.safetensors")));
        assertTrue(Files.isRegularFile(OUT.resolve("saelens/cfg.json")));
    }

    private static Tensor tensor(INDArray a) {
        return Tensor.f32(a.shape(), CoreWeights.floats(a));
    }
}
