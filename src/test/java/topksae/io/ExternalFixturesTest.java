package topksae.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Folders written by the real SAELens 6.18.0 {@code save_model} and sparsify 1.3.3
 * {@code save_to_disk} (resources external/, made by make_external_fixtures.py beside them), with
 * each library's own forward outputs. Imported here, the JVM model must reproduce them.
 */
class ExternalFixturesTest {
    private static Path external() throws URISyntaxException {
        return Path.of(ExternalFixturesTest.class
                        .getResource("external/reference.safetensors")
                        .toURI())
                .getParent();
    }

    private static void reproduces(CoreWeights.Imported m, SafetensorsFile ref, String prefix, String xName)
            throws IOException {
        Tensor x = ref.require(xName);
        INDArray in = Nd4j.create(x.toFloats(), x.shape(), 'c');
        INDArray[] out = ModelFixtures.run(m.sae(), m.preBias(), in);
        float[] codes = CoreWeights.floats(out[0]);
        float[] expected = ref.require(prefix + ".codes").toFloats();
        for (int i = 0; i < codes.length; i++) {
            assertEquals(expected[i] != 0, codes[i] != 0, prefix + ": active set differs at " + i);
            assertEquals(expected[i], codes[i], 1e-5f, prefix + " code " + i);
        }
        assertArrayEquals(
                ref.require(prefix + ".x_hat").toFloats(),
                CoreWeights.floats(out[1]),
                1e-5f,
                prefix + " reconstruction");
    }

    @Test
    void importsASaeLensSaveAndReproducesItsForward() throws Exception {
        TopKWeights w = SaeLensFormat.read(external().resolve("saelens"));
        assertEquals(8, w.dIn());
        assertEquals(16, w.nbConcepts());
        assertEquals(3, w.k());
        CoreWeights.Imported m = CoreWeights.toSae(w);
        assertNotNull(m.preBias(), "SAELens' non-zero b_dec becomes the input offset");
        reproduces(m, SafetensorsFile.read(external().resolve("reference.safetensors")), "saelens", "x");
    }

    @Test
    void importsASparsifySaveAndReproducesItsForward() throws Exception {
        TopKWeights w = SparsifyFormat.read(external().resolve("sparsify").resolve("layers.1"));
        assertEquals(16, w.nbConcepts());
        CoreWeights.Imported m = CoreWeights.toSae(w);
        reproduces(m, SafetensorsFile.read(external().resolve("reference.safetensors")), "sparsify", "sparsify.x");
    }
}
