package topksae.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Speed of the distributed fit at 1 and 2 workers (local[2], one core per task), its
 * communication share, and the transform rate against the bare encoder GEMM. Run by
 * scripts/bench.sh --section spark. Options: --dim 256 --concepts 4096 --k 32 --batch 1024
 * --localSteps 20 --rounds 4 --optimizerState averaged --transform true (false: fit only; the scale
 * section). Also prints the bytes a round ships and the per-byte and per-token costs.
 */
public final class SparkBench {
    private SparkBench() {}

    public static void main(String[] args) {
        Map<String, String> o = options(args);
        int dim = Integer.parseInt(o.getOrDefault("dim", "256"));
        int concepts = Integer.parseInt(o.getOrDefault("concepts", "4096"));
        int k = Integer.parseInt(o.getOrDefault("k", "32"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "1024"));
        int localSteps = Integer.parseInt(o.getOrDefault("localSteps", "20"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "4"));
        String optState = o.getOrDefault("optimizerState", "averaged");
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-bench")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.task.cpus", "1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        long rows = 2L * rounds * localSteps * batch;
        Dataset<Row> df = data(spark, rows, dim, 4);
        df.count();
        TopKSAEEstimator est = new TopKSAEEstimator()
                .setNbConcepts(concepts)
                .setTopK(k)
                .setBatchSize(batch)
                .setBatchScope("worker")
                .setLocalSteps(localSteps)
                .setOptimizerState(optState)
                .setLearningRate(1e-3);
        double[] one =
                fitRate(est.copy(new org.apache.spark.ml.param.ParamMap()).setNumWorkers(1), df);
        double[] two =
                fitRate(est.copy(new org.apache.spark.ml.param.ParamMap()).setNumWorkers(2), df);
        boolean withTransform = Boolean.parseBoolean(o.getOrDefault("transform", "true"));
        double transform = Double.NaN;
        if (withTransform) {
            TopKSAEModel model = est.copy(new org.apache.spark.ml.param.ParamMap())
                    .setNumWorkers(2)
                    .setMaxTokens(1)
                    .fit(df);
            transform = transformRate(model, df, rows);
        }
        double gemm1 = gemmRate(batch, dim, concepts, 1);
        double gemm = gemmRate(batch, dim, concepts, 2);
        System.out.printf(
                Locale.ROOT,
                "%n| spark (local[2], dim %d, concepts %d, k %d, batch %d, localSteps %d, %s) "
                        + "| value |%n|---|---|%n",
                dim,
                concepts,
                k,
                batch,
                localSteps,
                optState);
        System.out.printf(
                Locale.ROOT, "| fit tokens/s, 1 worker | %.0f |%n| fit tokens/s, 2 workers | %.0f |%n", one[0], two[0]);
        System.out.printf(
                Locale.ROOT,
                "| 2 workers / 1 worker | %.2f |%n| comm share per round (2 workers) | %.3f |%n",
                two[0] / one[0],
                two[1]);
        System.out.printf(
                Locale.ROOT,
                "| transform rows/s | %.0f |%n| encoder GEMM rows/s (2 threads) | %.0f |%n",
                transform,
                gemm);
        // the machine's own ceiling for two workers: how much a second thread speeds up the bare GEMM
        System.out.printf(
                Locale.ROOT,
                "| encoder GEMM rows/s (1 thread) | %.0f |%n| GEMM 2 threads / 1 thread | %.2f |%n",
                gemm1,
                gemm / gemm1);
        System.out.printf(
                Locale.ROOT,
                "fit_tokens_per_s_1w=%.0f%nfit_tokens_per_s_2w=%.0f%nworkers2_vs_1=%.3f%n"
                        + "comm_share=%.3f%ntransform_vs_gemm=%.3f%ngemm_2t_vs_1t=%.3f%n",
                one[0],
                two[0],
                two[0] / one[0],
                two[1],
                transform / gemm,
                gemm / gemm1);
        traffic(dim, concepts, batch, localSteps, optState, one, two);
        spark.stop();
    }

    /**
     * What a round ships and what it costs per byte and per token, for the scaling model
     * (docs/benchmarks.md): bytes per round at W workers = 2 W x state (broadcast to each worker,
     * each worker's result back); comm seconds per GB shipped at 2 workers; compute seconds per
     * token of one worker (round seconds minus comm, 1 worker).
     */
    static void traffic(int dim, int concepts, int batch, int localSteps, String optState, double[] one, double[] two) {
        double model = 4.0 * (2L * dim * concepts + concepts + 1);
        double state = "averaged".equals(optState) ? 3 * model : model;
        double tokens2 = 2.0 * batch * localSteps;
        double bytes2 = 2 * 2 * state;
        double roundSeconds2 = tokens2 / two[0];
        double roundSeconds1 = batch * localSteps / one[0];
        System.out.printf(
                Locale.ROOT,
                "state_mb=%.0f%nbytes_per_round_mb_2w=%.0f%nbytes_per_token_2w=%.0f%n"
                        + "comm_s_per_gb_2w=%.3f%ncompute_s_per_token_1w=%.3e%nround_s_1w=%.2f%nround_s_2w=%.2f%n",
                state / (1 << 20),
                bytes2 / (1 << 20),
                bytes2 / tokens2,
                two[1] * roundSeconds2 / (bytes2 / 1e9),
                (1 - one[1]) * roundSeconds1 / (batch * localSteps),
                roundSeconds1,
                roundSeconds2);
    }

    /** tokens/s and comm share over the rounds after the first (warm-up). */
    static double[] fitRate(TopKSAEEstimator est, Dataset<Row> df) {
        List<RoundRecord> r = est.fit(df).summary().rounds();
        double tokens = 0;
        double secs = 0;
        double comm = 0;
        for (RoundRecord rec : r.subList(Math.min(1, r.size() - 1), r.size())) {
            tokens += rec.tokens();
            secs += rec.seconds();
            comm += rec.commSeconds();
        }
        return new double[] {tokens / secs, comm / secs};
    }

    static double transformRate(TopKSAEModel m, Dataset<Row> df, long rows) {
        m.transform(df).write().format("noop").mode("overwrite").save();
        long t0 = System.nanoTime();
        m.transform(df).write().format("noop").mode("overwrite").save();
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    /** Rows per second of x [batch, dim] times W^T [dim, concepts] into a preallocated output. */
    static double gemmRate(int batch, int dim, int concepts, int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, dim);
        INDArray w = Nd4j.rand(DataType.FLOAT, concepts, dim);
        INDArray out = Nd4j.create(DataType.FLOAT, batch, concepts);
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
        }
        int reps = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
        }
        return (double) reps * batch / ((System.nanoTime() - t0) / 1e9);
    }

    /** Sparse non-negative combinations of random directions as array&lt;float&gt;, generated on the executors. */
    static Dataset<Row> data(SparkSession spark, long rows, int dim, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(p);
        }
        long per = rows / partitions;
        JavaRDD<Row> rdd = jsc.parallelize(parts, partitions).mapPartitions(it -> rowsOf(it.next(), per, dim));
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType, false));
        return spark.createDataFrame(rdd, schema).persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static Iterator<Row> rowsOf(int p, long n, int dim) {
        Random atoms = new Random(1);
        float[][] dirs = new float[4 * dim][dim];
        for (float[] d : dirs) {
            for (int j = 0; j < dim; j++) {
                d[j] = (float) atoms.nextGaussian();
            }
        }
        Random rng = new Random(100 + p);
        return new Iterator<>() {
            long i;

            public boolean hasNext() {
                return i < n;
            }

            public Row next() {
                i++;
                float[] x = new float[dim];
                for (int c = 0; c < 8; c++) {
                    float[] d = dirs[rng.nextInt(dirs.length)];
                    float w = rng.nextFloat();
                    for (int j = 0; j < dim; j++) {
                        x[j] += w * d[j];
                    }
                }
                return RowFactory.create((Object) x);
            }
        };
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }
}
