package topksae.spark;

import topksae.train.LrSchedule;

/**
 * The automatic parts of the training recipe, each a formula of the fit's shape, with every
 * constant in one place (docs/training.md, section "The recipe", explains them). A param set to
 * a positive value always wins over its formula.
 */
final class Recipe {
    /**
     * learningRate 0 (the default): LR_REF x LR_REF_TOPK / clamp(topK, LR_REF_TOPK, LR_MAX_TOPK).
     * Each row moves the k dictionary rows and encoder columns it fires, and Adam moves each of them
     * by about the rate whatever its gradient's size, so a step changes the reconstruction about k
     * times the rate: the rate falls as 1 / k above the reference k, down to the rate of
     * LR_MAX_TOPK. The harness found the reference rate best at k 4 to 16 and, with one worker, at
     * k 32 too; at k 32 with 2 workers it lost 40% to half the rate (docs/quality.md). Above k 32 the
     * fall is not measured.
     */
    static final double LR_REF = 2e-3;

    static final double LR_REF_TOPK = 16;
    static final double LR_MAX_TOPK = 128;

    /**
     * outerLearningRate 0, sgd. batchScope global (each worker steps on batchSize / W rows): W^0.5,
     * which makes up what the mean of W Adam deltas from W times smaller batches loses (each worker's
     * step is normalized by its own second moment, gathered on fewer rows and noisier). batchScope
     * worker: W^OUTER_SGD_WORKER_EXPONENT, the factor W that plain averaging loses (the sum of the
     * workers' deltas). nesterov: DiLoCo's OUTER_NESTEROV_BASE x W^OUTER_NESTEROV_WORKER_EXPONENT
     * (its momentum already lengthens the steps).
     */
    static final double OUTER_SGD_GLOBAL_BATCH_EXPONENT = 0.5;

    static final double OUTER_SGD_WORKER_EXPONENT = 1.0;
    static final double OUTER_NESTEROV_BASE = 0.7;
    static final double OUTER_NESTEROV_WORKER_EXPONENT = 0.0;

    /**
     * localSteps 0 (the default), several workers: LOCAL_TRAVEL / lr local steps, clamped to
     * [MIN_LOCAL_STEPS, MAX_LOCAL_STEPS]. Adam moves a weight by about the rate per step, so a worker
     * travels about lr x localSteps between two merges; the harness kept workers free when that stayed
     * near 2e-3 x 2 (more, and the outer step overshoots; docs/quality.md): 2 local steps at the
     * automatic rate up to k 16, 4 at k 32. One worker:
     * MAX_LOCAL_STEPS (nothing to merge: a round only costs the state's round trip).
     */
    static final double LOCAL_TRAVEL = 4e-3;

    static final int MIN_LOCAL_STEPS = 2;
    static final int MAX_LOCAL_STEPS = 32;

    /** decoderBiasInit geometric_median: Weiszfeld on up to this many rows (and floats) of the first slices. */
    static final int MEDIAN_SAMPLE_ROWS = 16384;

    static final long MEDIAN_SAMPLE_FLOATS = 8L << 20;

    private Recipe() {}

    /** The local steps' peak Adam rate: learningRate if > 0, else the formula. */
    static double learningRate(TopKSAEParams p) {
        double set = p.getLearningRate();
        return set > 0 ? set : autoLearningRate(p.getTopK());
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

    static double autoLearningRate(int topK) {
        return LR_REF * LR_REF_TOPK / Math.max(LR_REF_TOPK, Math.min(LR_MAX_TOPK, topK));
    }

    /** The outer step's rate: 1 for average, outerLearningRate if > 0, else the formula above. */
    static double outerLearningRate(TopKSAEParams p, int workers) {
        return outerLearningRate(
                p.getOuterOptimizer(), p.getOuterLearningRate(), workers, "global".equals(p.getBatchScope()));
    }

    static double outerLearningRate(String kind, double set, int workers, boolean globalBatch) {
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
        return Math.pow(workers, OUTER_SGD_WORKER_EXPONENT);
    }

    /** localSteps if > 0, else the formula above for this fit's rate. */
    static int localSteps(TopKSAEParams p, int workers) {
        return localSteps(p.getLocalSteps(), learningRate(p), workers);
    }

    static int localSteps(int set, double lr, int workers) {
        if (set > 0) {
            return set;
        }
        if (workers <= 1) {
            return MAX_LOCAL_STEPS;
        }
        long steps = Math.round(LOCAL_TRAVEL / lr);
        return (int) Math.max(MIN_LOCAL_STEPS, Math.min(MAX_LOCAL_STEPS, steps));
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
