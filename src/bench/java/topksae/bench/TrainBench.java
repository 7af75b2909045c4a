package topksae.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.kernel.Par;
import topksae.kernel.PhaseTimes;
import topksae.kernel.Precision;
import topksae.kernel.TopKEncoder;
import topksae.model.DictionaryParams;
import topksae.model.TopKSAE;
import topksae.train.SparseLinearStep;
import topksae.train.StepStats;
import topksae.train.TrainConfig;
import topksae.train.Trainer;

/**
 * Local training and encoding speed against the bare encoder GEMM (batch x dim by dim x nbConcepts
 * into a preallocated output), measured interleaved in the same run. Prints a table, the per-phase
 * profile of the fused step, then key=value lines.
 */
public final class TrainBench {
    private TrainBench() {}

    public static void main(String[] args) {
        BenchArgs a = new BenchArgs(
                args,
                "dim",
                "768",
                "concepts",
                "16384",
                "k",
                "32",
                "batch",
                "4096",
                "steps",
                "6",
                "warmup",
                "2",
                "threads",
                "0",
                "encoder",
                "linear",
                "normalization",
                "l2",
                "preOrder",
                "c",
                "auxk",
                "0",
                "kAux",
                "512",
                "auxkPath",
                "auto");
        System.setProperty("topksae.preOrder", a.s("preOrder"));
        if (a.i("threads") > 0) {
            Par.setThreads(a.i("threads"));
        }
        int d = a.i("dim"), n = a.i("concepts"), k = a.i("k"), batch = a.i("batch"), steps = a.i("steps");
        System.out.printf("# train/encode benchmark %s, threads %d%n", a, Par.threads());
        TopKSAE sae = new TopKSAE(
                new int[] {d},
                n,
                k,
                a.s("encoder"),
                new DictionaryParams(a.s("normalization"), false),
                "cpu",
                null,
                42L);
        TrainConfig cfg = new TrainConfig();
        cfg.precision = "float32";
        Trainer trainer = new Trainer(sae, cfg);
        boolean fused = SparseLinearStep.supports(sae, cfg);
        SparseLinearStep fast = fused ? new SparseLinearStep(sae, cfg, trainer.optimizer()) : null;
        Nd4j.getRandom().setSeed(1);
        INDArray[] xs = {Nd4j.randn(DataType.FLOAT, batch, d), Nd4j.randn(DataType.FLOAT, batch, d)};
        INDArray w = Nd4j.randn(DataType.FLOAT, n, d);
        INDArray outC = Nd4j.create(DataType.FLOAT, new long[] {batch, n}, 'c');
        INDArray outF = Nd4j.create(DataType.FLOAT, new long[] {batch, n}, 'f');
        Runnable gemmC = () -> Nd4j.gemm(xs[0], w, outC, false, true, 1.0, 0.0);
        Runnable gemmF = () -> Nd4j.gemm(xs[0], w, outF, false, true, 1.0, 0.0);
        TopKEncoder enc = SparseLinearStep.encoderFor(sae, "float32");
        Bf16Bench bf = fast != null && Precision.useBf16("bf16") ? new Bf16Bench(a, xs, w) : null;
        if (!"auto".equals(a.s("auxkPath"))) {
            System.setProperty("topksae.auxkPath", a.s("auxkPath"));
        }
        AuxKBench aux = fast != null && !"0".equals(a.s("auxk"))
                ? new AuxKBench(d, n, k, a.s("normalization"), AuxKBench.parseShares(a.s("auxk")), a.i("kAux"), steps)
                : null;
        StepStats[] last = new StepStats[1];
        int[] stepNo = {0};
        Runnable train = () -> {
            INDArray x = xs[stepNo[0]++ % 2];
            last[0] = fast != null ? fast.step(x) : trainer.step(x);
        };
        Runnable encode = () -> enc.encode(xs[1]);
        for (int i = 0; i < a.i("warmup"); i++) {
            gemmC.run();
            gemmF.run();
            train.run();
            if (enc != null) {
                encode.run();
            }
            if (bf != null) {
                bf.runAll();
            }
            if (aux != null) {
                aux.runAll(xs[i % 2]);
            }
        }
        if (fast != null) {
            fast.times().reset();
        }
        double[] tc = new double[steps], tf = new double[steps], tt = new double[steps], te = new double[steps];
        double[] cpu = new double[4];
        for (int i = 0; i < steps; i++) {
            long c0 = PhaseTimes.processCpuNanos();
            tc[i] = Stats.time(gemmC);
            long c1 = PhaseTimes.processCpuNanos();
            tf[i] = Stats.time(gemmF);
            long c2 = PhaseTimes.processCpuNanos();
            tt[i] = Stats.time(train);
            long c3 = PhaseTimes.processCpuNanos();
            te[i] = enc != null ? Stats.time(encode) : Double.NaN;
            long c4 = PhaseTimes.processCpuNanos();
            if (bf != null) {
                bf.timeAll(i);
            }
            if (aux != null) {
                aux.timeAll(i, xs[i % 2]);
            }
            cpu[0] += (c1 - c0) / 1e9 / steps;
            cpu[1] += (c2 - c1) / 1e9 / steps;
            cpu[2] += (c3 - c2) / 1e9 / steps;
            cpu[3] += (c4 - c3) / 1e9 / steps;
        }
        report(a, fast, tc, tf, tt, te, last[0]);
        double gemmCpu = Math.min(cpu[0], cpu[1]);
        System.out.printf(
                "cpu_s_gemm_c=%.3f%ncpu_s_gemm_f=%.3f%ncpu_s_train=%.3f%ncpu_s_encode=%.3f%n",
                cpu[0], cpu[1], cpu[2], cpu[3]);
        System.out.printf("train_vs_gemm_cpu=%.3f%nencode_vs_gemm_cpu=%.3f%n", gemmCpu / cpu[2], gemmCpu / cpu[3]);
        if (aux != null) {
            double[] plainPhases = fast.times().meanCpuMillis().values().stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray();
            aux.report(a.i("batch"), Stats.median(tt), cpu[2], plainPhases);
        }
        if (bf != null) {
            bf.report(Math.min(Stats.median(tc), Stats.median(tf)), Stats.median(tt), gemmCpu, cpu[2]);
        } else {
            System.out.println("bf16=unavailable");
        }
    }

    private static void report(
            BenchArgs a, SparseLinearStep fast, double[] tc, double[] tf, double[] tt, double[] te, StepStats last) {
        int batch = a.i("batch");
        double flop = 2.0 * batch * a.i("dim") * a.i("concepts");
        double gemm = Math.min(Stats.median(tc), Stats.median(tf));
        double train = Stats.median(tt);
        double encode = Stats.median(te);
        System.out.println("| what | median ms | min ms | tokens/s | GFLOP/s (encoder GEMM) |");
        System.out.println("|---|---|---|---|---|");
        row("bare GEMM, 'c' output", tc, batch, flop);
        row("bare GEMM, 'f' output", tf, batch, flop);
        row(fast != null ? "train step (fused)" : "train step (generic)", tt, batch, flop);
        if (!Double.isNaN(encode)) {
            row("encode (sparse top-k)", te, batch, flop);
        }
        if (fast != null) {
            System.out.println();
            System.out.println("| phase of the fused step | mean wall ms | mean CPU ms (all threads) |");
            System.out.println("|---|---|---|");
            Map<String, Double> cpu = fast.times().meanCpuMillis();
            for (Map.Entry<String, Double> e : fast.times().meanMillis().entrySet()) {
                System.out.printf("| %s | %.1f | %.1f |%n", e.getKey(), e.getValue(), cpu.get(e.getKey()));
            }
        }
        System.out.printf("%nlast step: loss %.5f, fvu %.4f, l0 %.1f%n", last.loss, last.fvu(), last.l0());
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("train_tokens_per_s", fmt(batch / train));
        kv.put("gemm_bound_tokens_per_s", fmt(batch / gemm));
        kv.put("train_vs_gemm", String.format("%.3f", gemm / train));
        kv.put("encode_tokens_per_s", fmt(batch / encode));
        kv.put("encode_vs_gemm", String.format("%.3f", gemm / encode));
        kv.put("gemm_gflops", String.format("%.1f", flop / gemm / 1e9));
        kv.put("fused", String.valueOf(fast != null));
        if (fast != null) {
            for (Map.Entry<String, Double> e : fast.times().meanMillis().entrySet()) {
                kv.put("phase_" + e.getKey() + "_ms", String.format("%.1f", e.getValue()));
            }
        }
        kv.put("peak_rss_mb", String.format("%.0f", Stats.peakRssMb()));
        kv.forEach((key, v) -> System.out.println(key + "=" + v));
    }

    private static void row(String what, double[] t, int batch, double flop) {
        double med = Stats.median(t);
        System.out.printf(
                "| %s | %.1f | %.1f | %s | %.0f |%n",
                what, med * 1e3, Stats.min(t) * 1e3, fmt(batch / med), flop / med / 1e9);
    }

    private static String fmt(double v) {
        return String.format("%.0f", v);
    }
}
