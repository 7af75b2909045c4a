package topksae.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Memory of a distributed fit: a few rounds at one size with one executor per worker (run under
 * spark-submit --master local-cluster[W,1,MB] by scripts/bench.sh --section memory), reporting
 * the driver's and the executors' peak heap after GC, the executors' peak off-heap and resident
 * size, each against the state a round averages (model plus Adam moments when averaged).
 * Options: --dim 768 --concepts 16384 --k 32 --batch 1024 --localSteps 4 --rounds 3 --workers 2
 * --optimizerState averaged.
 */
public final class MemoryBench {
    private MemoryBench() {}

    public static void main(String[] args) {
        Map<String, String> o = options(args);
        int dim = Integer.parseInt(o.getOrDefault("dim", "768"));
        int concepts = Integer.parseInt(o.getOrDefault("concepts", "16384"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "1024"));
        int localSteps = Integer.parseInt(o.getOrDefault("localSteps", "4"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        int workers = Integer.parseInt(o.getOrDefault("workers", "2"));
        String optState = o.getOrDefault("optimizerState", "averaged");
        SparkSession spark = SparkSession.builder().getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        MemoryProbe.install();
        long rows = (long) rounds * workers * localSteps * batch;
        Dataset<Row> df = SparkBench.data(spark, rows, dim, 2 * workers);
        df.count();
        onExecutors(spark, workers, "reset");
        MemoryProbe.reset();
        TopKSAEEstimator est = new TopKSAEEstimator()
                .setNbConcepts(concepts)
                .setTopK(Integer.parseInt(o.getOrDefault("k", "32")))
                .setBatchSize(batch)
                .setBatchScope("worker")
                .setLocalSteps(localSteps)
                .setNumWorkers(workers)
                .setOptimizerState(optState)
                .setMaxEpochs(1);
        long t0 = System.nanoTime();
        TopKSAETrainingSummary s = est.fit(df).summary();
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        long[] driver = MemoryProbe.peaks();
        long[] exec = onExecutors(spark, workers, "peaks");
        report(s, fitSeconds, driver, exec, dim, concepts, workers, optState);
        spark.stop();
    }

    private static void report(
            TopKSAETrainingSummary s,
            double fitSeconds,
            long[] driver,
            long[] exec,
            int dim,
            int concepts,
            int workers,
            String optState) {
        double mb = 1 << 20;
        double model = 4.0 * (2L * dim * concepts + concepts + 1) / mb;
        double state = "averaged".equals(optState) ? 3 * model : model;
        double comm = 0;
        double secs = 0;
        for (RoundRecord r : s.rounds()) {
            comm += r.commSeconds();
            secs += r.seconds();
        }
        // a round ships the state to each worker (broadcast) and each worker's state back (shuffle)
        double bytesPerRound = 2.0 * workers * state * mb;
        double tokensPerRound = (double) s.tokensSeen() / Math.max(1, s.rounds().size());
        System.out.printf(
                Locale.ROOT,
                "%n| memory (dim %d, concepts %d, %d workers, %s) | value |%n|---|---|%n",
                dim,
                concepts,
                workers,
                optState);
        System.out.printf(
                Locale.ROOT, "| model state MB | %.0f |%n| state averaged per round MB | %.0f |%n", model, state);
        System.out.printf(
                Locale.ROOT,
                "| driver peak heap after GC MB (x state) | %.0f (%.2f) |%n",
                driver[0] / mb,
                driver[0] / mb / state);
        System.out.printf(
                Locale.ROOT,
                "| executor peak heap after GC MB (x state) | %.0f (%.2f) |%n",
                exec[0] / mb,
                exec[0] / mb / state);
        System.out.printf(
                Locale.ROOT,
                "| executor peak off-heap MB | %.0f |%n| executor peak resident MB | %.0f |%n",
                exec[1] / mb,
                exec[2] / mb);
        System.out.printf(
                Locale.ROOT,
                "model_state_mb=%.0f%nstate_mb=%.0f%ndriver_peak_heap_mb=%.0f%n"
                        + "executor_peak_heap_mb=%.0f%noffheap_peak_mb=%.0f%nexecutor_peak_rss_mb=%.0f%ndriver_heap_vs_state=%.2f%n"
                        + "executor_heap_vs_state=%.2f%nrounds=%d%nfit_seconds=%.1f%nround_tokens_per_s=%.0f%ncomm_share=%.3f%n"
                        + "bytes_per_round_mb=%.0f%nbytes_per_token=%.0f%n",
                model,
                state,
                driver[0] / mb,
                exec[0] / mb,
                exec[1] / mb,
                exec[2] / mb,
                driver[0] / mb / state,
                exec[0] / mb / state,
                s.rounds().size(),
                fitSeconds,
                s.tokensSeen() / secs,
                comm / secs,
                bytesPerRound / mb,
                bytesPerRound / tokensPerRound);
    }

    /** Runs a probe action in tasks spread over the executors; for "peaks", the maxima over them. */
    private static long[] onExecutors(SparkSession spark, int executors, String action) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> parts = new ArrayList<>();
        for (int i = 0; i < 8 * executors; i++) {
            parts.add(i);
        }
        List<long[]> all = jsc.parallelize(parts, parts.size())
                .map(i -> {
                    MemoryProbe.install();
                    if ("reset".equals(action)) {
                        MemoryProbe.reset();
                    }
                    Thread.sleep(100);
                    long[] p = MemoryProbe.peaks();
                    return new long[] {
                        p[0], p[1], p[2], SparkEnv.get().executorId().hashCode()
                    };
                })
                .collect();
        long[] max = new long[3];
        for (long[] p : all) {
            for (int j = 0; j < 3; j++) {
                max[j] = Math.max(max[j], p[j]);
            }
        }
        return max;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }
}
