package topksae.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import topksae.train.LrSchedule;

/**
 * The Param objects shared by {@link TopKSAEEstimator} and {@link TopKSAEModel}, created for one
 * owner (Spark requires each Param's parent to be the owner's uid) with their defaults.
 * The defaults and the reasons for them are documented in docs/spark.md, and the quality harness's measurements behind them in docs/quality.md.
 */
public final class TopKSAEParamDefs implements java.io.Serializable {
    static final String[] VARIANTS = {"topk", "batchtopk"};
    static final String[] OPTIMIZER_STATES = {"averaged", "local"};
    static final String[] OUTER_OPTIMIZERS = {"average", "nesterov", "sgd"};
    static final String[] BATCH_SCOPES = {"global", "worker"};
    static final String[] HANDLE_INVALID = {"error", "skip"};
    static final String[] INITIALIZATIONS = {"auto", "default", "tied"};
    static final String[] DECODER_BIAS_INITS = {"none", "mean", "geometric_median"};
    static final String[] AUX_K_MODES = {"paper", "overcomplete"};

    final Param<String> inputCol;
    final Param<String> outputCol;
    final Param<String> reconstructionCol;
    final Param<String> preCodesCol;
    final IntParam nbConcepts;
    final IntParam topK;
    final Param<String> variant;
    final Param<String> encoderModule;
    final Param<String> normalization;
    final BooleanParam useMultiplier;
    final DoubleParam learningRate;
    final IntParam batchSize;
    final IntParam localSteps;
    final IntParam maxEpochs;
    final LongParam maxTokens;
    final IntParam numWorkers;
    final LongParam seed;
    final DoubleParam auxKPenalty;
    final DoubleParam clipGrad;
    final Param<String> optimizerState;
    final Param<String> outerOptimizer;
    final DoubleParam outerLearningRate;
    final DoubleParam outerMomentum;
    final Param<String> batchScope;
    final DoubleParam maxDroppedFraction;
    final IntParam rowLength;
    final Param<String> handleInvalid;
    final Param<String> initialization;
    final Param<String> decoderBiasInit;
    final LongParam deadTokens;
    // AuxK, decoder-gradient projection (one block)
    final Param<String> auxKMode;
    final IntParam kAux;
    final BooleanParam decoderGradProjection;
    final Param<String> checkpointDir;
    final IntParam checkpointInterval;
    final Param<String> resumeFrom;
    // the training recipe (docs/training.md, "The recipe")
    final Param<String> lrSchedule;
    final IntParam warmupSteps;
    final DoubleParam warmupFraction;
    final DoubleParam decayFraction;
    final DoubleParam finalLrFraction;

    TopKSAEParamDefs(Params owner) {
        String p = owner.uid();
        inputCol = new Param<>(
                p, "inputCol", "input column: array<float>, array<double> or ML Vector, all rows of the same length");
        outputCol = new Param<>(
                p, "outputCol", "output column of codes, a SparseVector of size nbConcepts with topK active entries");
        reconstructionCol = new Param<>(
                p, "reconstructionCol", "output column of reconstructions (dense Vector); empty = not produced");
        preCodesCol = new Param<>(
                p,
                "preCodesCol",
                "output column of pre-codes, the encoder output before top-k (dense Vector); empty = not produced");
        nbConcepts = new IntParam(p, "nbConcepts", "number of concepts (dictionary size), > 0", ParamValidators.gt(0));
        topK = new IntParam(
                p,
                "topK",
                "active concepts per row, 1..nbConcepts; unset = max(nbConcepts/10, 1)",
                ParamValidators.gt(0));
        variant = new Param<>(p, "variant", "SAE variant: topk or batchtopk", ParamValidators.inArray(VARIANTS));
        encoderModule = new Param<>(
                p,
                "encoderModule",
                "encoder: identity, linear, mlp_ln_1, mlp_ln_3, mlp_bn_1, mlp_bn_3 or a registered name");
        normalization = new Param<>(
                p, "normalization", "dictionary normalization: l2, max_l2, l1, max_l1, identity or a registered name");
        useMultiplier = new BooleanParam(p, "useMultiplier", "learn a scalar multiplier on the dictionary");
        learningRate = new DoubleParam(
                p,
                "learningRate",
                "peak Adam learning rate of the local steps, finite; 0 = automatic: 2e-3 x 16 / topK with topK clamped to [16, 128]",
                finite(ParamValidators.gtEq(0)));
        batchSize = new IntParam(
                p,
                "batchSize",
                "rows per optimizer step, > 0: over all workers (batchScope global) or on each worker (batchScope worker); also rows per call in transform",
                ParamValidators.gt(0));
        localSteps = new IntParam(
                p,
                "localSteps",
                "local steps per worker between two merges; 0 = automatic: 4e-3 / learningRate (2..32) with several workers, 32 with one",
                ParamValidators.gtEq(0));
        maxEpochs = new IntParam(p, "maxEpochs", "passes over the data, > 0", ParamValidators.gt(0));
        maxTokens = new LongParam(
                p, "maxTokens", "stop after this many rows (tokens) in total; 0 = no limit", ParamValidators.gtEq(0));
        numWorkers = new IntParam(
                p,
                "numWorkers",
                "parallel workers (tasks per round); 0 = the cluster's default parallelism",
                ParamValidators.gtEq(0));
        seed = new LongParam(p, "seed", "random seed (weights, data order)");
        auxKPenalty = new DoubleParam(
                p, "auxKPenalty", "weight of the AuxK loss, finite; 0 = off", finite(ParamValidators.gtEq(0)));
        clipGrad = new DoubleParam(
                p,
                "clipGrad",
                "gradient norm clipping of each local step, finite; 0 = off",
                finite(ParamValidators.gtEq(0)));
        optimizerState = new Param<>(
                p,
                "optimizerState",
                "Adam state across rounds: averaged (broadcast and averaged with the weights) or local (kept per worker)",
                ParamValidators.inArray(OPTIMIZER_STATES));
        outerOptimizer = new Param<>(
                p,
                "outerOptimizer",
                "update applied to the averaged weights: average (take the mean), sgd (prev + outerLearningRate x (mean - prev)) "
                        + "or nesterov (DiLoCo outer step)",
                ParamValidators.inArray(OUTER_OPTIMIZERS));
        outerLearningRate = new DoubleParam(
                p,
                "outerLearningRate",
                "learning rate of the sgd or nesterov outer step, finite; 0 = automatic from the number of workers",
                finite(ParamValidators.gtEq(0)));
        outerMomentum = new DoubleParam(
                p,
                "outerMomentum",
                "momentum of the nesterov outer step, in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
        batchScope = new Param<>(
                p,
                "batchScope",
                "what batchSize counts: global (the rows of one step over all workers; each worker's local step takes "
                        + "batchSize / workers of them) or worker (the rows of each worker's local step)",
                ParamValidators.inArray(BATCH_SCOPES));
        maxDroppedFraction = new DoubleParam(
                p,
                "maxDroppedFraction",
                "fail the fit when more than this fraction of the workers' round results went non-finite and were "
                        + "dropped (with their tokens), in [0, 1]",
                ParamValidators.inRange(0, 1, true, true));
        rowLength = new IntParam(
                p,
                "rowLength",
                "row length of the input column; 0 = the most common length in the data (rows of other lengths are invalid)",
                ParamValidators.gtEq(0));
        handleInvalid = new Param<>(
                p,
                "handleInvalid",
                "rows with a null, a wrong length or a NaN/Inf value: error (fail naming the row) or skip (count them)",
                ParamValidators.inArray(HANDLE_INVALID));
        initialization = new Param<>(
                p,
                "initialization",
                "weight init: tied (linear encoder weight = the unit-norm dictionary, W_enc = W_dec^T), default (the core model's), "
                        + "or auto (tied for the linear encoder, else default)",
                ParamValidators.inArray(INITIALIZATIONS));
        decoderBiasInit = new Param<>(
                p,
                "decoderBiasInit",
                "fixed input offset: none (exact core model), mean or geometric_median (of a sample) of the data: "
                        + "subtracted before encoding, added back after decoding",
                ParamValidators.inArray(DECODER_BIAS_INITS));
        deadTokens = new LongParam(
                p,
                "deadTokens",
                "a concept is dead if it did not fire in the last this many tokens (the AuxK dead set and the dead metric), > 0; "
                        + "unset = min(10M, the tokens of one epoch)",
                ParamValidators.gt(0));
        auxKMode = new Param<>(
                p,
                "auxKMode",
                "AuxK loss when auxKPenalty > 0: paper (Gao et al.: the kAux largest pre-activations of the dead concepts "
                        + "reconstruct the residual) or overcomplete (its top_k_auxiliary_loss)",
                ParamValidators.inArray(AUX_K_MODES));
        kAux = new IntParam(
                p,
                "kAux",
                "dead concepts per row in the paper AuxK, > 0; unset = min(512, nbConcepts/2)",
                ParamValidators.gt(0));
        decoderGradProjection = new BooleanParam(
                p,
                "decoderGradProjection",
                "remove from each dictionary row's gradient its component along the row before the Adam step (Gao et al.)");
        checkpointDir = new Param<>(p, "checkpointDir", "directory for training checkpoints; empty = none");
        checkpointInterval = new IntParam(
                p,
                "checkpointInterval",
                "write a checkpoint every this many rounds; 0 = never",
                ParamValidators.gtEq(0));
        resumeFrom = new Param<>(p, "resumeFrom", "checkpoint directory to resume training from; empty = fresh start");
        lrSchedule = new Param<>(
                p,
                "lrSchedule",
                "learning rate over the planned steps: constant, linear, cosine or wsd (warm-up, stable, decay)",
                ParamValidators.inArray(LrSchedule.KINDS));
        warmupSteps = new IntParam(
                p, "warmupSteps", "linear warm-up over this many global steps; 0 = none", ParamValidators.gtEq(0));
        warmupFraction = new DoubleParam(
                p,
                "warmupFraction",
                "linear warm-up over this fraction of the planned steps (the longer of the two warm-ups wins), in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
        decayFraction = new DoubleParam(
                p,
                "decayFraction",
                "wsd: the fraction of the planned steps spent decaying, in (0, 1]",
                ParamValidators.inRange(0, 1, false, true));
        finalLrFraction = new DoubleParam(
                p,
                "finalLrFraction",
                "linear, cosine, wsd: the last step's rate as a fraction of the peak, in [0, 1]",
                ParamValidators.inRange(0, 1, true, true));
        setDefaults(owner);
    }

    /** The validator, refusing NaN and infinities too. */
    private static scala.Function1<Object, Object> finite(scala.Function1<Object, Object> v) {
        return (scala.Function1<Object, Object> & java.io.Serializable)
                x -> x instanceof Double d && Double.isFinite(d) && (Boolean) v.apply(x);
    }

    private void setDefaults(Params o) {
        o.setDefault(inputCol, "features");
        o.setDefault(outputCol, "codes");
        o.setDefault(reconstructionCol, "");
        o.setDefault(preCodesCol, "");
        o.setDefault(nbConcepts, 1024);
        o.setDefault(variant, "topk");
        o.setDefault(encoderModule, "linear");
        o.setDefault(normalization, "l2");
        o.setDefault(useMultiplier, false);
        o.setDefault(learningRate, 0.0);
        o.setDefault(batchSize, 1024);
        o.setDefault(localSteps, 0);
        o.setDefault(maxEpochs, 1);
        o.setDefault(maxTokens, 0L);
        o.setDefault(numWorkers, 0);
        o.setDefault(seed, 42L);
        o.setDefault(auxKPenalty, 0.0);
        o.setDefault(clipGrad, 1.0);
        o.setDefault(optimizerState, "averaged");
        o.setDefault(outerOptimizer, "sgd");
        o.setDefault(outerLearningRate, 0.0);
        o.setDefault(outerMomentum, 0.9);
        o.setDefault(batchScope, "global");
        o.setDefault(maxDroppedFraction, 0.25);
        o.setDefault(rowLength, 0);
        o.setDefault(handleInvalid, "error");
        o.setDefault(initialization, "auto");
        o.setDefault(decoderBiasInit, "none");
        o.setDefault(auxKMode, "paper");
        o.setDefault(decoderGradProjection, false);
        o.setDefault(checkpointDir, "");
        o.setDefault(checkpointInterval, 0);
        o.setDefault(resumeFrom, "");
        o.setDefault(lrSchedule, "constant");
        o.setDefault(warmupSteps, 0);
        o.setDefault(warmupFraction, 0.0);
        o.setDefault(decayFraction, 0.2);
        o.setDefault(finalLrFraction, 0.1);
    }
}
