package topksae.spark;

import topksae.train.LrSchedule;

/**
 * The automatic parts of the training recipe, each a formula of the fit's shape, with every
 * constant in one place (docs/training.md, section "The recipe", explains them). A param set to
 * a positive value always wins over its formula.
 */
final class Recipe {
    /** learningRate 0 or unset: LR_REF * (B / B_REF)^a * (n / N_REF)^-b * (k / K_REF)^c, B = the global batch. */
    static final double LR_REF = 2e-3;

    static final double LR_REF_GLOBAL_BATCH = 2048;
    static final double LR_REF_CONCEPTS = 2048;
    static final double LR_REF_TOPK = 8;
    static final double LR_BATCH_EXPONENT = 0.5;
    static final double LR_CONCEPTS_EXPONENT = 0.5;
    static final double LR_TOPK_EXPONENT = 0.5;

    /**
     * outerLearningRate 0, sgd. batchScope global (each worker steps on batchSize / W rows): W^0.5,
     * which makes up what the mean of W Adam deltas from W times smaller batches loses (each worker's
     * step is normalized by its own second moment, gathered on fewer rows and noisier). batchScope
     * worker: the factor W = workers that plain averaging loses, less what the
     * automatic learningRate already gains with W: W / (W^LR_BATCH_EXPONENT) when learningRate is
     * automatic, else W (the sum of the workers' deltas). nesterov: DiLoCo's
     * OUTER_NESTEROV_BASE x W^OUTER_NESTEROV_WORKER_EXPONENT (its momentum already lengthens the steps).
     */
    static final double OUTER_SGD_GLOBAL_BATCH_EXPONENT = 0.5;

    static final double OUTER_SGD_WORKER_EXPONENT = 1.0;
    static final double OUTER_NESTEROV_BASE = 0.7;
    static final double OUTER_NESTEROV_WORKER_EXPONENT = 0.0;

    /** localSteps 0: about ROUNDS_PER_EPOCH rounds per epoch, each of MIN..MAX local steps. */
    static final int ROUNDS_PER_EPOCH = 16;

    static final int MIN_LOCAL_STEPS = 4;
    static final int MAX_LOCAL_STEPS = 32;

    /** decoderBiasInit geometric_median: Weiszfeld on up to this many rows (and floats) of the first slices. */
    static final int MEDIAN_SAMPLE_ROWS = 16384;

    static final long MEDIAN_SAMPLE_FLOATS = 8L << 20;

    private Recipe() {}

    /** The local steps' peak Adam rate: learningRate if > 0, else the formula. */
    static double learningRate(TopKSAEParams p, int workers) {
        double set = p.getLearningRate();
        return set > 0 ? set : autoLearningRate(p.getNbConcepts(), p.getTopK(), globalBatch(p, workers));
    }

    /** Rows of one worker's local step: batchSize / workers (rounded up) for batchScope global, else batchSize. */
    static int workerBatch(TopKSAEParams p, int workers) {
        int b = p.getBatchSize();
        return "global".equals(p.getBatchScope()) ? (int) ceilDiv(b, Math.max(1, workers)) : b;
    }

    /** Rows of one step over all workers: workers x the worker batch. */
    static long globalBatch(TopKSAEParams p, int workers) {
        return (long) workers * workerBatch(p, workers);
    }

    static double autoLearningRate(int nbConcepts, int topK, long globalBatch) {
        return LR_REF
                * Math.pow(globalBatch / LR_REF_GLOBAL_BATCH, LR_BATCH_EXPONENT)
                * Math.pow(nbConcepts / LR_REF_CONCEPTS, -LR_CONCEPTS_EXPONENT)
                * Math.pow(topK / LR_REF_TOPK, LR_TOPK_EXPONENT);
    }

    /** The outer step's rate: 1 for average, outerLearningRate if > 0, else the formula above. */
    static double outerLearningRate(TopKSAEParams p, int workers) {
        return outerLearningRate(
                p.getOuterOptimizer(),
                p.getOuterLearningRate(),
                workers,
                p.getLearningRate() <= 0,
                "global".equals(p.getBatchScope()));
    }

    static double outerLearningRate(String kind, double set, int workers, boolean automaticLr, boolean globalBatch) {
        if ("average".equals(kind)) {
            return 1.0;
        }
        if (set > 0) {
            return set;
        }
        if ("nesterov".equals(kind)) {
            return OUTER_NESTEROV_BASE * Math.pow(workers, OUTER_NESTEROV_WORKER_EXPONENT);
        }
        if (globalBatch) {
            return Math.pow(workers, OUTER_SGD_GLOBAL_BATCH_EXPONENT);
        }
        double lrGain = automaticLr ? Math.pow(workers, LR_BATCH_EXPONENT) : 1.0;
        return Math.pow(workers, OUTER_SGD_WORKER_EXPONENT) / lrGain;
    }

    /**
     * localSteps if > 0; else steps per epoch per worker (rows / (workers x batchSize), rounded up)
     * divided by ROUNDS_PER_EPOCH, clamped to [MIN_LOCAL_STEPS, MAX_LOCAL_STEPS] and to the epoch.
     */
    static int localSteps(int set, long rows, int workers, int batchSize) {
        if (set > 0) {
            return set;
        }
        long perEpoch = Math.max(1, ceilDiv(rows, (long) workers * batchSize));
        long steps = Math.max(MIN_LOCAL_STEPS, Math.min(MAX_LOCAL_STEPS, perEpoch / ROUNDS_PER_EPOCH));
        return (int) Math.min(steps, perEpoch);
    }

    /**
     * The fit's schedule. A step is one global batch (workers x batchSize rows); the planned steps
     * are rows x maxEpochs (capped by maxTokens) over that; warm-up = max(warmupSteps,
     * warmupFraction x planned steps).
     */
    static LrSchedule schedule(TopKSAEParams p, double lr, long rows, int workers) {
        long planned = Math.multiplyExact(rows, (long) p.getMaxEpochs());
        if (p.getMaxTokens() > 0) {
            planned = Math.min(planned, p.getMaxTokens());
        }
        long total = ceilDiv(planned, globalBatch(p, workers));
        long warmup = Math.max(p.getWarmupSteps(), Math.round(p.getWarmupFraction() * total));
        return new LrSchedule(p.getLrSchedule(), lr, warmup, total, p.getDecayFraction(), p.getFinalLrFraction());
    }

    /** The global step a round starts at: tokens seen so far in global batches. */
    static long firstStep(long tokensSeen, long globalBatch) {
        return tokensSeen / globalBatch;
    }

    /** Rows of the geometric-median sample for rows of this width. */
    static int medianSampleRows(int dim) {
        return (int) Math.max(1, Math.min(MEDIAN_SAMPLE_ROWS, MEDIAN_SAMPLE_FLOATS / dim));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
