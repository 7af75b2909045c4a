package topksae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.kernel.Precision;
import topksae.model.DictionaryParams;
import topksae.model.SAE;
import topksae.model.TopKSAE;

/** Training with the bf16 encoder GEMM reaches the float32 path's quality at the same steps and seed. */
class Bf16TrainTest {
    private static boolean available() {
        return Precision.hasBf16Isa() && Precision.oneDnnLoads();
    }

    private static TopKSAE model(int dim, int n, int k) {
        return new TopKSAE(new int[] {dim}, n, k, null, new DictionaryParams("l2", false), "cpu", null, 9L);
    }

    /** FVU of the exact float32 forward pass of sae over the batches. */
    private static double fvu(SAE sae, List<INDArray> batches) {
        StepStats all = new StepStats();
        sae.eval();
        for (INDArray x : batches) {
            SAE.Output o = sae.forward(x);
            all.merge(StepStats.of(0, x, o.xHat(), o.codes()));
        }
        return all.fvu();
    }

    /** Trains a fresh model on the batches for the epochs; returns [train FVU of the last epoch, eval FVU]. */
    private static double[] train(
            String precision, List<INDArray> batches, List<INDArray> eval, int dim, int n, int k, int epochs) {
        TopKSAE sae = model(dim, n, k);
        TrainConfig cfg = new TrainConfig();
        cfg.lr = 1e-2;
        cfg.precision = precision;
        SparseLinearStep step = new SparseLinearStep(sae, cfg, new Trainer(sae, cfg).optimizer());
        assertEquals("bf16".equals(precision), step.bf16(), "precision of the step");
        StepStats last = null;
        for (int e = 0; e < epochs; e++) {
            last = new StepStats();
            for (INDArray x : batches) {
                last.merge(step.step(x));
            }
        }
        return new double[] {last.fvu(), fvu(sae, eval)};
    }

    private static void assertSameQuality(
            List<INDArray> batches, List<INDArray> eval, int dim, int n, int k, int epochs, String what) {
        double[] f = train("float32", batches, eval, dim, n, k, epochs);
        double[] b = train("bf16", batches, eval, dim, n, k, epochs);
        assertTrue(f[1] < 0.5, what + ": float32 training should learn something, FVU " + f[1]);
        // no quality drop: at most 1% (relative) above float32. The two runs' top-k selections part ways
        // after a few steps, so they do not agree to 1% both ways (bf16 ended 1-9% lower here).
        for (int i = 0; i < 2; i++) {
            String at = what + (i == 0 ? ": training" : ": eval") + " FVU float32 " + f[i] + " bf16 " + b[i];
            assertTrue(b[i] <= 1.01 * f[i], at);
            assertEquals(f[i], b[i], 0.15 * f[i], at);
        }
    }

    @Test
    void syntheticDictionaryFvuWithinOnePercent() {
        assumeTrue(available(), "this CPU has no bf16 instructions or oneDNN does not load");
        SyntheticData data = new SyntheticData(48, 96, 4, 12, 128, 0.01, 21L);
        List<INDArray> train = data.batches.subList(0, 10);
        List<INDArray> eval = data.batches.subList(10, 12);
        assertSameQuality(train, eval, 48, 192, 8, 25, "synthetic");
    }

    @Test
    void gaussianFvuWithinOnePercent() {
        assumeTrue(available(), "this CPU has no bf16 instructions or oneDNN does not load");
        Nd4j.getRandom().setSeed(31);
        INDArray mix = Nd4j.randn(DataType.FLOAT, 48, 48).divi(Math.sqrt(48));
        List<INDArray> batches = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            batches.add(Nd4j.randn(DataType.FLOAT, 128, 48).mmul(mix));
        }
        assertSameQuality(batches.subList(0, 10), batches.subList(10, 12), 48, 192, 8, 25, "gaussian");
    }

    @Test
    void float32SettingKeepsTheExactPath() {
        TopKSAE a = model(16, 32, 4);
        TopKSAE b = model(16, 32, 4);
        TrainConfig fa = new TrainConfig();
        fa.precision = "float32";
        TrainConfig fb = new TrainConfig(); // "auto", replaced by the tests' -Dtopksae.precision=float32
        SparseLinearStep sa = new SparseLinearStep(a, fa, new Trainer(a, fa).optimizer());
        SparseLinearStep sb = new SparseLinearStep(b, fb, new Trainer(b, fb).optimizer());
        assertFalse(sa.bf16());
        assertEquals(!"float32".equals(System.getProperty("topksae.precision", "auto")) && available(), sb.bf16());
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.FLOAT, 20, 16);
        sa.step(x);
        sb.step(x);
        if (!sb.bf16()) {
            assertArrayEquals(a.flatState(), b.flatState(), "same float32 step, same result");
        }
        assertFalse(SparseLinearStep.encoderFor(a, "float32").bf16());
    }
}
