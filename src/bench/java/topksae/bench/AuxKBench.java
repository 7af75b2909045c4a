package topksae.bench;

import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.DictionaryParams;
import topksae.model.TopKSAE;
import topksae.train.Adam;
import topksae.train.SparseLinearStep;
import topksae.train.TrainConfig;

/**
 * The fused step with the paper AuxK (alpha 1/32, kAux as given) on a fixed dead set (every concept j with
 * j mod round(1 / deadShare) == 0), and the fused step with the decoder-gradient projection, on
 * copies of the bench model; timed interleaved with the plain fused step by {@link TrainBench}.
 */
final class AuxKBench {
    private final SparseLinearStep auxStep;
    private final SparseLinearStep projStep;
    private final boolean[] dead;
    private final int nDead;
    final double[] auxTimes;
    final double[] projTimes;

    private double auxCpu;
    private double projCpu;

    AuxKBench(int d, int n, int k, String norm, double deadShare, int kAux, int steps) {
        dead = new boolean[n];
        int every = (int) Math.max(1, Math.round(1 / deadShare));
        int c = 0;
        for (int j = 0; j < n; j += every) {
            dead[j] = true;
            c++;
        }
        nDead = c;
        TrainConfig aux = config();
        aux.auxKPenalty = 1.0 / 32;
        aux.auxKMode = "paper";
        aux.kAux = kAux;
        auxStep = step(d, n, k, norm, aux);
        TrainConfig proj = config();
        proj.decoderGradProjection = true;
        projStep = step(d, n, k, norm, proj);
        auxTimes = new double[steps];
        projTimes = new double[steps];
    }

    private static TrainConfig config() {
        TrainConfig cfg = new TrainConfig();
        cfg.precision = "float32";
        return cfg;
    }

    private static SparseLinearStep step(int d, int n, int k, String norm, TrainConfig cfg) {
        TopKSAE sae = new TopKSAE(new int[] {d}, n, k, "linear", new DictionaryParams(norm, false), "cpu", null, 42L);
        return new SparseLinearStep(sae, cfg, new Adam(cfg));
    }

    void runAll(INDArray x) {
        auxStep.step(x, dead);
        projStep.step(x);
    }

    void timeAll(int i, INDArray x) {
        long c0 = topksae.kernel.PhaseTimes.processCpuNanos();
        auxTimes[i] = Stats.time(() -> auxStep.step(x, dead));
        long c1 = topksae.kernel.PhaseTimes.processCpuNanos();
        projTimes[i] = Stats.time(() -> projStep.step(x));
        long c2 = topksae.kernel.PhaseTimes.processCpuNanos();
        auxCpu += (c1 - c0) / 1e9 / auxTimes.length;
        projCpu += (c2 - c1) / 1e9 / auxTimes.length;
    }

    /** plain: the plain fused step's median wall seconds; plainCpu: its mean CPU seconds. */
    void report(int batch, double plain, double plainCpu) {
        double aux = Stats.median(auxTimes);
        double proj = Stats.median(projTimes);
        System.out.printf("auxk_dead_concepts=%d%n", nDead);
        System.out.printf("train_auxk_tokens_per_s=%.0f%n", batch / aux);
        System.out.printf("auxk_vs_plain=%.3f%n", plain / aux);
        System.out.printf("train_projection_tokens_per_s=%.0f%n", batch / proj);
        System.out.printf("projection_vs_plain=%.3f%n", plain / proj);
        System.out.printf("auxk_vs_plain_cpu=%.3f%nprojection_vs_plain_cpu=%.3f%n", plainCpu / auxCpu,
                plainCpu / projCpu);
    }
}
