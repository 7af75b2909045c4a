package topksae.bench;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.kernel.PhaseTimes;
import topksae.model.DictionaryParams;
import topksae.model.TopKSAE;
import topksae.train.Adam;
import topksae.train.SparseLinearStep;
import topksae.train.TrainConfig;

/**
 * The fused step with the paper AuxK (alpha 1/32, kAux as given) on fixed dead sets, one per listed share
 * (every concept j with j mod round(1 / share) == 0; share 0: none dead, so no AuxK term), and the fused
 * step with the decoder-gradient projection, on copies of the bench model; timed interleaved with the
 * plain fused step by {@link TrainBench}. Also the AuxK step's per-phase CPU time at each share.
 */
final class AuxKBench {
    private final SparseLinearStep auxStep;
    private final SparseLinearStep projStep;
    private final double[] shares;
    private final int kAux;
    private final boolean[][] dead;
    private final int[] nDead;
    private final double[][] auxTimes;
    private final double[] auxCpu;
    private final double[][] phaseCpu;
    final double[] projTimes;
    private double projCpu;

    AuxKBench(int d, int n, int k, String norm, double[] shares, int kAux, int steps) {
        this.shares = shares;
        this.kAux = kAux;
        dead = new boolean[shares.length][n];
        nDead = new int[shares.length];
        for (int s = 0; s < shares.length; s++) {
            int every = shares[s] > 0 ? (int) Math.max(1, Math.round(1 / shares[s])) : Integer.MAX_VALUE;
            for (int j = 0; j < n && shares[s] > 0; j += every) {
                dead[s][j] = true;
                nDead[s]++;
            }
        }
        TrainConfig aux = config();
        aux.auxKPenalty = 1.0 / 32;
        aux.auxKMode = "paper";
        aux.kAux = kAux;
        auxStep = step(d, n, k, norm, aux);
        TrainConfig proj = config();
        proj.decoderGradProjection = true;
        projStep = step(d, n, k, norm, proj);
        auxTimes = new double[shares.length][steps];
        auxCpu = new double[shares.length];
        phaseCpu = new double[shares.length][PhaseTimes.PHASES.length];
        projTimes = new double[steps];
    }

    /** "0,0.1,0.5" as shares. */
    static double[] parseShares(String list) {
        String[] parts = list.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i].trim());
        }
        return out;
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
        for (boolean[] dd : dead) {
            auxStep.step(x, dd);
        }
        projStep.step(x);
    }

    void timeAll(int i, INDArray x) {
        int steps = projTimes.length;
        for (int s = 0; s < shares.length; s++) {
            boolean[] dd = dead[s];
            double[] before = totals(auxStep.times().meanCpuMillis());
            long c0 = PhaseTimes.processCpuNanos();
            auxTimes[s][i] = Stats.time(() -> auxStep.step(x, dd));
            auxCpu[s] += (PhaseTimes.processCpuNanos() - c0) / 1e9 / steps;
            double[] after = totals(auxStep.times().meanCpuMillis());
            for (int p = 0; p < after.length; p++) {
                phaseCpu[s][p] += (after[p] - before[p]) / steps;
            }
        }
        long c1 = PhaseTimes.processCpuNanos();
        projTimes[i] = Stats.time(() -> projStep.step(x));
        projCpu += (PhaseTimes.processCpuNanos() - c1) / 1e9 / steps;
    }

    /** Total (not mean) CPU ms per phase so far. */
    private double[] totals(Map<String, Double> mean) {
        double[] t = new double[PhaseTimes.PHASES.length];
        int steps = auxStep.times().steps();
        for (int p = 0; p < t.length; p++) {
            t[p] = mean.get(PhaseTimes.PHASES[p]) * steps;
        }
        return t;
    }

    private static String pct(double share) {
        return String.valueOf(Math.round(share * 100));
    }

    /** plain: the plain fused step's median wall seconds; plainCpu: its mean CPU seconds. */
    void report(int batch, double plain, double plainCpu, double[] plainPhaseCpu) {
        System.out.println();
        System.out.println("| AuxK dead share | dead concepts | path | tokens/s | cost (wall) | cost (CPU) | "
                + String.join(" | ", PhaseTimes.PHASES) + " (CPU ms, plain first) |");
        System.out.println("|---|---|---|---|---|---|" + "---|".repeat(PhaseTimes.PHASES.length));
        System.out.printf("| plain step | 0 | - | %.0f | - | - |%s%n", batch / plain, cells(plainPhaseCpu));
        String first = null;
        for (int s = 0; s < shares.length; s++) {
            double t = Stats.median(auxTimes[s]);
            double cost = 1 - plain / t;
            double costCpu = 1 - plainCpu / auxCpu[s];
            String path = nDead[s] == 0 ? "off" : pathOf(nDead[s]);
            System.out.printf(
                    "| %s%% | %d | %s | %.0f | %.3f | %.3f |%s%n",
                    pct(shares[s]), nDead[s], path, batch / t, cost, costCpu, cells(phaseCpu[s]));
            String key = "auxk_" + pct(shares[s]);
            System.out.printf(
                    "%s_dead_concepts=%d%n%s_path=%s%n%s_tokens_per_s=%.0f%n",
                    key, nDead[s], key, path, key, batch / t);
            System.out.printf(
                    "auxk_cost_%s=%.3f%nauxk_cost_cpu_%s=%.3f%n", pct(shares[s]), cost, pct(shares[s]), costCpu);
            if (first == null && shares[s] > 0) {
                first = String.format(
                        "auxk_cost=%.3f%nauxk_cost_cpu=%.3f%nauxk_vs_plain=%.3f%n", cost, costCpu, plain / t);
            }
        }
        if (first != null) {
            System.out.print(first);
        }
        double proj = Stats.median(projTimes);
        System.out.printf("train_projection_tokens_per_s=%.0f%n", batch / proj);
        System.out.printf("projection_vs_plain=%.3f%nprojection_vs_plain_cpu=%.3f%n", plain / proj, plainCpu / projCpu);
    }

    private String pathOf(int dead) {
        return topksae.kernel.SparseLinearKernel.auxKDense(dead, kAux) ? "dense" : "sparse";
    }

    private static String cells(double[] ms) {
        StringBuilder b = new StringBuilder();
        for (double m : ms) {
            b.append(String.format(" %.1f |", m));
        }
        return b.toString();
    }
}
