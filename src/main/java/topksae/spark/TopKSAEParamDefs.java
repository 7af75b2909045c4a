package topksae.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The Param objects shared by {@link TopKSAEEstimator} and {@link TopKSAEModel}, created for one
 * owner (Spark requires each Param's parent to be the owner's uid) with their defaults.
 * The defaults and the reasons for them are documented in README.md, section "Spark ML API", and the
 * quality harness's measurements behind them in docs/quality.md.
 */
public final class TopKSAEParamDefs implements java.io.Serializable {
  static final String[] VARIANTS = {"topk", "batchtopk"};
  static final String[] OPTIMIZER_STATES = {"averaged", "local"};
  static final String[] OUTER_OPTIMIZERS = {"average", "sum", "nesterov"};
  static final String[] HANDLE_INVALID = {"error", "skip"};
  static final String[] INITIALIZATIONS = {"auto", "default", "tied"};
  static final String[] DECODER_BIAS_INITS = {"none", "mean"};

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
  final Param<String> handleInvalid;
  final Param<String> initialization;
  final Param<String> decoderBiasInit;
  final LongParam deadTokens;
  final Param<String> checkpointDir;
  final IntParam checkpointInterval;
  final Param<String> resumeFrom;

  TopKSAEParamDefs(Params owner) {
    String p = owner.uid();
    inputCol = new Param<>(p, "inputCol",
        "input column: array<float>, array<double> or ML Vector, all rows of the same length");
    outputCol = new Param<>(p, "outputCol",
        "output column of codes, a SparseVector of size nbConcepts with topK active entries");
    reconstructionCol = new Param<>(p, "reconstructionCol",
        "output column of reconstructions (dense Vector); empty = not produced");
    preCodesCol = new Param<>(p, "preCodesCol",
        "output column of pre-codes, the encoder output before top-k (dense Vector); empty = not produced");
    nbConcepts = new IntParam(p, "nbConcepts", "number of concepts (dictionary size), > 0",
        ParamValidators.gt(0));
    topK = new IntParam(p, "topK", "active concepts per row, 1..nbConcepts; unset = max(nbConcepts/10, 1)",
        ParamValidators.gt(0));
    variant = new Param<>(p, "variant", "SAE variant: topk or batchtopk",
        ParamValidators.inArray(VARIANTS));
    encoderModule = new Param<>(p, "encoderModule",
        "encoder: identity, linear, mlp_ln_1, mlp_ln_3, mlp_bn_1, mlp_bn_3 or a registered name");
    normalization = new Param<>(p, "normalization",
        "dictionary normalization: l2, max_l2, l1, max_l1, identity or a registered name");
    useMultiplier = new BooleanParam(p, "useMultiplier", "learn a scalar multiplier on the dictionary");
    learningRate = new DoubleParam(p, "learningRate", "Adam learning rate of the local steps, > 0",
        ParamValidators.gt(0));
    batchSize = new IntParam(p, "batchSize", "rows per local step on each worker, > 0",
        ParamValidators.gt(0));
    localSteps = new IntParam(p, "localSteps", "local steps per worker between two averagings, > 0",
        ParamValidators.gt(0));
    maxEpochs = new IntParam(p, "maxEpochs", "passes over the data, > 0", ParamValidators.gt(0));
    maxTokens = new LongParam(p, "maxTokens", "stop after this many rows (tokens) in total; 0 = no limit",
        ParamValidators.gtEq(0));
    numWorkers = new IntParam(p, "numWorkers",
        "parallel workers (tasks per round); 0 = the cluster's default parallelism", ParamValidators.gtEq(0));
    seed = new LongParam(p, "seed", "random seed (weights, data order)");
    auxKPenalty = new DoubleParam(p, "auxKPenalty", "weight of the AuxK loss; 0 = off",
        ParamValidators.gtEq(0));
    clipGrad = new DoubleParam(p, "clipGrad", "gradient norm clipping of each local step; 0 = off",
        ParamValidators.gtEq(0));
    optimizerState = new Param<>(p, "optimizerState",
        "Adam state across rounds: averaged (broadcast and averaged with the weights) or local (kept per worker)",
        ParamValidators.inArray(OPTIMIZER_STATES));
    outerOptimizer = new Param<>(p, "outerOptimizer",
        "update applied to the averaged weights: average (take the mean), sum (apply the sum of the workers' "
            + "updates: as far per token as one worker) or nesterov (DiLoCo outer step)",
        ParamValidators.inArray(OUTER_OPTIMIZERS));
    outerLearningRate = new DoubleParam(p, "outerLearningRate", "learning rate of the nesterov outer step, > 0",
        ParamValidators.gt(0));
    outerMomentum = new DoubleParam(p, "outerMomentum", "momentum of the nesterov outer step, in [0, 1)",
        ParamValidators.inRange(0, 1, true, false));
    handleInvalid = new Param<>(p, "handleInvalid",
        "rows with a null, a wrong length or a NaN/Inf value: error (fail naming the row) or skip (count them)",
        ParamValidators.inArray(HANDLE_INVALID));
    initialization = new Param<>(p, "initialization",
        "weight init: tied (linear encoder weight = the unit-norm dictionary, W_enc = W_dec^T), default (the core model's), "
            + "or auto (tied for the linear encoder, else default)",
        ParamValidators.inArray(INITIALIZATIONS));
    decoderBiasInit = new Param<>(p, "decoderBiasInit",
        "fixed input offset: none (exact core model) or mean (subtract the data mean before encoding, add it back after decoding)",
        ParamValidators.inArray(DECODER_BIAS_INITS));
    deadTokens = new LongParam(p, "deadTokens", "a concept is dead if it did not fire in this many tokens, > 0",
        ParamValidators.gt(0));
    checkpointDir = new Param<>(p, "checkpointDir", "directory for training checkpoints; empty = none");
    checkpointInterval = new IntParam(p, "checkpointInterval", "write a checkpoint every this many rounds; 0 = never",
        ParamValidators.gtEq(0));
    resumeFrom = new Param<>(p, "resumeFrom", "checkpoint directory to resume training from; empty = fresh start");
    setDefaults(owner);
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
    o.setDefault(learningRate, 2e-3);
    o.setDefault(batchSize, 1024);
    o.setDefault(localSteps, 5);
    o.setDefault(maxEpochs, 1);
    o.setDefault(maxTokens, 0L);
    o.setDefault(numWorkers, 0);
    o.setDefault(seed, 42L);
    o.setDefault(auxKPenalty, 0.0);
    o.setDefault(clipGrad, 1.0);
    o.setDefault(optimizerState, "averaged");
    o.setDefault(outerOptimizer, "sum");
    o.setDefault(outerLearningRate, 0.7);
    o.setDefault(outerMomentum, 0.9);
    o.setDefault(handleInvalid, "error");
    o.setDefault(initialization, "auto");
    o.setDefault(decoderBiasInit, "none");
    o.setDefault(deadTokens, 10_000_000L);
    o.setDefault(checkpointDir, "");
    o.setDefault(checkpointInterval, 0);
    o.setDefault(resumeFrom, "");
  }
}
