package topksae.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.kernel.Bf16Gemm;
import topksae.kernel.PhaseTimes;
import topksae.kernel.TopKEncoder;
import topksae.model.DictionaryParams;
import topksae.model.TopKSAE;
import topksae.train.SparseLinearStep;
import topksae.train.StepStats;
import topksae.train.TrainConfig;
import topksae.train.Trainer;

/**
 * The bf16 side of {@link TrainBench}: the bare bf16 GEMM (both roundings to bf16 included), the
 * fused step and the encoder with the bf16 encoder GEMM, on a second model with the same
 * initialization, timed in the same loop as the float32 side.
 */
final class Bf16Bench {
    private final BenchArgs a;
    private final Runnable gemm;
    private final Runnable train;
    private final Runnable encode;
    private final SparseLinearStep step;
    private final StepStats[] last = new StepStats[1];
    private final double[] tg;
    private final double[] tt;
    private final double[] te;
    private double cpuTrain;

    Bf16Bench(BenchArgs a, INDArray[] xs, INDArray w) {
        this.a = a;
        int d = a.i("dim"), n = a.i("concepts"), steps = a.i("steps");
        TopKSAE sae = new TopKSAE(
                new int[] {d},
                n,
                a.i("k"),
                a.s("encoder"),
                new DictionaryParams(a.s("normalization"), false),
                "cpu",
                null,
                42L);
        TrainConfig cfg = new TrainConfig();
        cfg.precision = "bf16";
        step = new SparseLinearStep(sae, cfg, new Trainer(sae, cfg).optimizer());
        Bf16Gemm g = new Bf16Gemm(n, d);
        INDArray out = Nd4j.create(DataType.FLOAT, new long[] {a.i("batch"), n}, 'c');
        gemm = () -> {
            g.loadWeights(w);
            g.multiply(xs[0], out);
        };
        int[] no = {0};
        train = () -> last[0] = step.step(xs[no[0]++ % 2]);
        TopKEncoder enc = SparseLinearStep.encoderFor(sae, "bf16");
        encode = () -> enc.encode(xs[1]);
        tg = new double[steps];
        tt = new double[steps];
        te = new double[steps];
    }

    void runAll() {
        gemm.run();
        train.run();
        encode.run();
        step.times().reset();
    }

    void timeAll(int i) {
        tg[i] = Stats.time(gemm);
        long c0 = PhaseTimes.processCpuNanos();
        tt[i] = Stats.time(train);
        cpuTrain += (PhaseTimes.processCpuNanos() - c0) / 1e9 / tg.length;
        te[i] = Stats.time(encode);
    }

    /** Prints the bf16 rows and key=value lines against the float32 GEMM bound and train step. */
    void report(double gemmFp32, double trainFp32, double gemmFp32Cpu, double trainFp32Cpu) {
        int batch = a.i("batch");
        double flop = 2.0 * batch * a.i("dim") * a.i("concepts");
        double g = Stats.median(tg), t = Stats.median(tt), e = Stats.median(te);
        System.out.println();
        System.out.println("| bf16 encoder GEMM | median ms | min ms | tokens/s | GFLOP/s (encoder GEMM) |");
        System.out.println("|---|---|---|---|---|");
        row("bare bf16 GEMM (with both roundings)", tg, batch, flop);
        row("train step (fused, bf16 GEMM)", tt, batch, flop);
        row("encode (bf16 GEMM, sparse top-k)", te, batch, flop);
        System.out.println();
        System.out.println("| phase of the bf16 fused step | mean wall ms | mean CPU ms (all threads) |");
        System.out.println("|---|---|---|");
        var cpu = step.times().meanCpuMillis();
        step.times().meanMillis().forEach((k, v) -> System.out.printf("| %s | %.1f | %.1f |%n", k, v, cpu.get(k)));
        System.out.printf(
                "%nbf16 last step: loss %.5f, fvu %.4f, l0 %.1f%n", last[0].loss, last[0].fvu(), last[0].l0());
        System.out.printf("bf16_gemm_gflops=%.1f%n", flop / g / 1e9);
        System.out.printf("bf16_gemm_tokens_per_s=%.0f%n", batch / g);
        System.out.printf("bf16_gemm_speedup=%.3f%n", gemmFp32 / g);
        System.out.printf("bf16_train_tokens_per_s=%.0f%n", batch / t);
        System.out.printf("bf16_encode_tokens_per_s=%.0f%n", batch / e);
        System.out.printf("train_vs_gemm_fp32=%.3f%n", gemmFp32 / t);
        System.out.printf("bf16_train_speedup=%.3f%n", trainFp32 / t);
        System.out.printf("cpu_s_bf16_train=%.3f%n", cpuTrain);
        System.out.printf("train_vs_gemm_fp32_cpu=%.3f%n", gemmFp32Cpu / cpuTrain);
    }

    private static void row(String what, double[] t, int batch, double flop) {
        double med = Stats.median(t);
        System.out.printf(
                "| %s | %.1f | %.1f | %.0f | %.0f |%n",
                what, med * 1e3, Stats.min(t) * 1e3, batch / med, flop / med / 1e9);
    }
}
