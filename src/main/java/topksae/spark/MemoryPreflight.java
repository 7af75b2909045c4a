package topksae.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.network.util.JavaUtils;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * Before the first round: the memory a fit needs on the driver and on each executor, from the model
 * size, optimizerState, outer optimizer, batch and workers ({@link Need}), against what Spark and
 * JavaCPP are configured to give ({@link Limits}). A fit that cannot fit fails at once with the
 * setting to raise and a value that fits, instead of an OutOfMemoryError rounds later.
 * The formula is in docs/spark.md ("Memory needed per model size"). Skip with the JVM
 * property -Dtopksae.memoryCheck=off on the driver.
 */
final class MemoryPreflight {
    static final long MB = 1L << 20;
    /** Heap Spark and the JVM use besides a fit's arrays (Spark reserves 300 MB itself). */
    static final long BASE_HEAP = 512 * MB;
    /** Off-heap ND4J and JavaCPP use besides a worker's arrays. */
    static final long BASE_OFF_HEAP = 256 * MB;

    private MemoryPreflight() {}

    /** Bytes a fit needs: heap and off-heap of the driver JVM and of one executor. */
    record Need(
            long stateBytes,
            long optimizerBytes,
            long driverHeap,
            long driverOffHeap,
            long executorHeap,
            long executorOffHeap,
            long chunkBytes) {}

    /** What is configured, in bytes (0 = no limit). */
    record Limits(
            long driverHeap,
            long driverMaxBytes,
            long driverMaxPhysical,
            boolean local,
            long executorHeap,
            long executorMaxBytes,
            long executorMaxPhysical,
            long executorOverhead,
            long maxResultSize) {}

    /** Values of the model's flat state (core state plus the BatchTopK threshold). */
    static long stateFloats(SAEConfig c) {
        long d = stateDim(c);
        long n = c.nbConcepts;
        long extra = 1 + ("batchtopk".equals(c.variant) ? 1 : 0); // the dictionary's multiplier, the threshold
        if ("linear".equals(c.encoder) && c.hiddenDim == null) {
            return d * n + n + n * d + extra;
        }
        long total = "batchtopk".equals(c.variant) ? 1 : 0;
        for (var a : SAE.fromConfig(c).stateDict().values()) { // other encoders: count exactly
            total += a.length();
        }
        return total;
    }

    /**
     * The need of a fit: the driver holds the state and optimizer state, then either the broadcast's
     * serialized chunks (while the workers run) or one sum of the workers' results (after: the
     * chunks are dropped first), plus two model-sized buffers for nesterov and a few chunks. An
     * executor holds a few chunks on the heap (the start state is read a chunk at a time straight
     * into ND4J, results leave a chunk at a time), and off the heap its worker's model, gradients,
     * Adam moments and batch buffers. In local mode the workers live in the driver's JVM.
     */
    static Need need(
            long stateFloats,
            boolean averaged,
            boolean nesterov,
            int workers,
            int batch,
            long dim,
            long concepts,
            boolean local,
            int localSlots) {
        long s = 4 * stateFloats;
        long o = 2 * s + 4;
        long chunk = 4L * RoundExchange.chunkFloats(workers);
        long shipped = s + o;
        long taskHeap = 6 * chunk + 4L * batch * dim * 2;
        long sum = s + (averaged ? o : 0);
        long driverHeap = BASE_HEAP + (s + o) + Math.max(shipped, sum) + (nesterov ? 2 * s : 0) + 2 * chunk;
        long workerOff = BASE_OFF_HEAP + s + o + s + 4L * batch * (dim + 4 * concepts);
        long executorHeap = BASE_HEAP + taskHeap;
        if (local) {
            driverHeap += Math.min(workers, localSlots) * taskHeap;
            return new Need(s, o, driverHeap, s + (long) workers * workerOff, 0, 0, chunk);
        }
        return new Need(s, o, driverHeap, s + BASE_OFF_HEAP, executorHeap, workerOff, chunk);
    }

    /** The configured limits of this Spark context and driver JVM. */
    static Limits limits(SparkContext sc) {
        SparkConf conf = sc.getConf();
        long execHeap = bytes(conf.get("spark.executor.memory", "1g"));
        String execOpts = conf.get("spark.executor.extraJavaOptions", "");
        long execMax = javacpp(execOpts, "maxbytes", execHeap);
        long execPhys = javacpp(execOpts, "maxphysicalbytes", 0);
        long overhead = conf.contains("spark.executor.memoryOverhead")
                ? bytes(conf.get("spark.executor.memoryOverhead"))
                : Math.max(384 * MB, execHeap / 10);
        boolean containers = sc.master().startsWith("yarn") || sc.master().startsWith("k8s");
        return new Limits(
                Runtime.getRuntime().maxMemory(),
                org.bytedeco.javacpp.Pointer.maxBytes(),
                org.bytedeco.javacpp.Pointer.maxPhysicalBytes(),
                sc.isLocal(),
                execHeap,
                execMax,
                execPhys,
                containers ? overhead : 0,
                JavaUtils.byteStringAsBytes(conf.get("spark.driver.maxResultSize", "1g")));
    }

    /** Throws IllegalStateException naming each setting that is too small, with a value that fits. */
    static void check(Need n, Limits l, String what) {
        List<String> fixes = new ArrayList<>();
        String mode = l.local() ? " (local mode: the workers run in the driver's JVM)" : "";
        if (l.driverHeap() < n.driverHeap()) {
            fixes.add(setting(
                    "spark.driver.memory (or --driver-memory)",
                    l.driverHeap(),
                    n.driverHeap() * 9 / 8,
                    "the driver's heap" + mode));
        }
        if (l.driverMaxBytes() > 0 && l.driverMaxBytes() < n.driverOffHeap()) {
            fixes.add(setting(
                    "-Dorg.bytedeco.javacpp.maxbytes in spark.driver.extraJavaOptions",
                    l.driverMaxBytes(),
                    n.driverOffHeap() * 5 / 4,
                    "ND4J's off-heap arrays on the driver" + mode));
        }
        long driverTotal = n.driverHeap() + n.driverOffHeap();
        if (l.driverMaxPhysical() > 0 && l.driverMaxPhysical() < driverTotal) {
            fixes.add(setting(
                    "-Dorg.bytedeco.javacpp.maxphysicalbytes in spark.driver.extraJavaOptions",
                    l.driverMaxPhysical(),
                    driverTotal * 5 / 4,
                    "the driver process (heap plus off-heap)"));
        }
        if (!l.local()) {
            checkExecutor(n, l, fixes);
        }
        if (l.maxResultSize() > 0 && l.maxResultSize() < 2 * n.chunkBytes()) {
            fixes.add(setting(
                    "spark.driver.maxResultSize",
                    l.maxResultSize(),
                    2 * n.chunkBytes(),
                    "one fetched chunk of the round's sum"));
        }
        if (!fixes.isEmpty()) {
            throw new IllegalStateException(
                    "not enough memory for " + what + " (model state " + mb(n.stateBytes())
                            + ", optimizer state " + mb(n.optimizerBytes()) + "): " + String.join("; ", fixes)
                            + ". See docs/spark.md, \"Memory needed per model size\" (-Dtopksae.memoryCheck=off skips this check).");
        }
    }

    private static void checkExecutor(Need n, Limits l, List<String> fixes) {
        if (l.executorHeap() < n.executorHeap()) {
            fixes.add(
                    setting("spark.executor.memory", l.executorHeap(), n.executorHeap() * 9 / 8, "an executor's heap"));
        }
        if (l.executorMaxBytes() > 0 && l.executorMaxBytes() < n.executorOffHeap()) {
            fixes.add(setting(
                    "-Dorg.bytedeco.javacpp.maxbytes in spark.executor.extraJavaOptions",
                    l.executorMaxBytes(),
                    n.executorOffHeap() * 5 / 4,
                    "ND4J's off-heap arrays of a worker"));
        }
        long total = n.executorHeap() + n.executorOffHeap();
        if (l.executorMaxPhysical() > 0 && l.executorMaxPhysical() < total) {
            fixes.add(setting(
                    "-Dorg.bytedeco.javacpp.maxphysicalbytes in spark.executor.extraJavaOptions",
                    l.executorMaxPhysical(),
                    total * 5 / 4,
                    "an executor process (heap plus off-heap)"));
        }
        if (l.executorOverhead() > 0 && l.executorOverhead() < n.executorOffHeap()) {
            fixes.add(setting(
                    "spark.executor.memoryOverhead",
                    l.executorOverhead(),
                    n.executorOffHeap() * 5 / 4,
                    "a worker's off-heap arrays in its container"));
        }
    }

    private static String setting(String name, long have, long want, String forWhat) {
        return name + " gives " + mb(have) + " for " + forWhat + ", needs about " + mb(want) + ": set it to "
                + suggest(want);
    }

    /** A value to set: whole gigabytes above 1 GB, else megabytes rounded up to 128. */
    static String suggest(long bytes) {
        long gb = 1L << 30;
        if (bytes > gb) {
            return ((bytes + gb - 1) / gb) + "g";
        }
        return ((bytes + 128 * MB - 1) / (128 * MB) * 128) + "m";
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%d MB", (bytes + MB - 1) / MB);
    }

    /** A Spark size; a plain number is megabytes (as for spark.*.memory). */
    static long bytes(String size) {
        return JavaUtils.byteStringAsBytes(size.trim().matches("\\d+") ? size.trim() + "m" : size.trim());
    }

    /** -Dorg.bytedeco.javacpp.NAME=SIZE in JVM options (JavaCPP takes bytes or a k/m/g/t suffix). */
    static long javacpp(String opts, String name, long absent) {
        Matcher m = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\." + name + "=(\\S+)", Pattern.CASE_INSENSITIVE)
                .matcher(opts);
        long v = absent;
        while (m.find()) {
            String s = m.group(1);
            v = s.matches("\\d+") ? Long.parseLong(s) : JavaUtils.byteStringAsBytes(s);
        }
        return v;
    }

    /** Checks a fit of this config over workers against this context's limits (unless switched off). */
    static void run(SparkContext sc, SAEConfig config, TopKSAEParams p, int workers) {
        if (!enabled()) {
            return;
        }
        long dim = stateDim(config);
        long floats = stateFloats(config);
        if (2 * floats + 1 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the model has " + floats + " values; its Adam state (2 per value) does "
                    + "not fit in one Java array (at most " + (Integer.MAX_VALUE - 8) + "): at most about 1.07 billion "
                    + "parameters per model, e.g. fewer concepts");
        }
        Need n = need(
                floats,
                "averaged".equals(p.getOptimizerState()),
                "nesterov".equals(p.getOuterOptimizer()),
                workers,
                Recipe.workerBatch(p, workers),
                dim,
                config.nbConcepts,
                sc.isLocal(),
                sc.defaultParallelism());
        check(n, limits(sc), "a fit of d " + dim + " x " + config.nbConcepts + " concepts on " + workers + " workers");
    }

    private static long stateDim(SAEConfig c) {
        long d = 1;
        for (int s : c.inputShape) {
            d *= s;
        }
        return d;
    }

    /** True unless the driver JVM has -Dtopksae.memoryCheck=off. */
    static boolean enabled() {
        return !"off".equalsIgnoreCase(System.getProperty("topksae.memoryCheck", "on"));
    }
}
