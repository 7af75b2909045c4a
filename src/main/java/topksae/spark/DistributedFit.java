package topksae.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.train.DeadLatents;
import topksae.train.LrSchedule;
import topksae.train.TrainConfig;

/**
 * The driver side of a fit: rounds over the persisted slices. Each round broadcasts the state,
 * runs one task per worker on the round's slices (only those partitions), sums the workers'
 * results chunk by chunk in worker order ({@link RoundExchange}), averages, applies the outer optimizer, re-normalizes the dictionary,
 * rejects a non-finite update, records metrics, calls listeners and writes checkpoints.
 */
final class DistributedFit {
    /** Consecutive rejected rounds after which the fit fails. */
    static final int MAX_CONSECUTIVE_REJECTED = 3;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopKSAEEstimator.class);

    private final SparkSession spark;
    private final TopKSAEParams p;
    private final TrainingData data;
    private final TrainConfig trainConfig;
    private final List<RoundListener> listeners;
    private final String run = "fit-" + UUID.randomUUID();
    private final SAE driverModel;
    private final OuterOptimizer outer;
    private final DeadLatents dead;
    private final LrSchedule schedule;
    private final double outerLr;
    private final List<RoundRecord> records = new ArrayList<>();
    private float[] state;
    private float[] optimizer;
    private float[] preBias;
    private long tokensSeen;
    private int roundsDone;
    private int rejectedRounds;
    private long workerResults;
    private long droppedWorkers;
    private long droppedTokens;
    private int consecutiveRejected;
    private boolean shippedOptimizer;

    DistributedFit(
            SparkSession spark,
            TopKSAEParams p,
            TrainingData data,
            SAEConfig config,
            TrainConfig trainConfig,
            List<RoundListener> listeners,
            TrainingState resume) {
        this.spark = spark;
        this.p = p;
        this.data = data;
        this.trainConfig = trainConfig;
        this.listeners = listeners;
        this.driverModel = SAE.fromConfig(config);
        driverModel.train();
        this.outerLr = Recipe.outerLearningRate(p, data.workers);
        this.outer = new OuterOptimizer(
                p.getOuterOptimizer(), outerLr, p.getOuterMomentum(), Initialization.trainableMask(driverModel));
        this.schedule = Recipe.schedule(p, trainConfig.lr, data.rows, data.workers);
        this.dead = new DeadLatents(config.nbConcepts, trainConfig.deadTokens);
        if (resume != null) {
            restore(resume);
        } else {
            Initialization.apply(driverModel, p.getInitialization());
            state = ModelState.of(driverModel);
            optimizer = new topksae.train.Trainer(driverModel, trainConfig)
                    .optimizer()
                    .flatState();
            preBias = inputOffset(p.getDecoderBiasInit(), data, Recipe.workerBatch(p, data.workers));
        }
        LOG.info(
                "topksae recipe: {} workers, localSteps {}, lr {} ({} over {} steps, warm-up {}), outer {} lr {}",
                data.workers,
                data.localSteps,
                trainConfig.lr,
                schedule.kind(),
                schedule.totalSteps(),
                schedule.warmupSteps(),
                p.getOuterOptimizer(),
                outerLr);
    }

    /** The fixed input offset of decoderBiasInit: none (null), the data mean, or a sample's geometric median. */
    static float[] inputOffset(String kind, TrainingData data, int batchSize) {
        switch (kind) {
            case "mean":
                return toFloat(data.mean);
            case "geometric_median":
                return toFloat(GeometricMedian.of(
                        data.sample(Recipe.medianSampleRows(data.dim), batchSize), data.dim, data.mean));
            default:
                return null;
        }
    }

    /** Runs the rounds; returns the final state. Fails when no round of this fit was accepted. */
    float[] run(int startEpoch, int startRound) {
        int acceptedBefore = roundsDone;
        try {
            rounds(startEpoch, startRound);
        } finally {
            WorkerCache.release(run);
        }
        if (roundsDone == acceptedBefore && rejectedRounds > 0 || tokensSeen == 0) {
            throw new IllegalStateException("training failed: it trained on " + tokensSeen + " tokens ("
                    + rejectedRounds + " rounds rejected as non-finite, " + droppedWorkers
                    + " worker results dropped). "
                    + "Lower learningRate, set clipGrad > 0, or check the input scale.");
        }
        requireFewDrops();
        return state;
    }

    private void rounds(int startEpoch, int startRound) {
        for (int epoch = startEpoch; epoch < p.getMaxEpochs(); epoch++) {
            int[] order = roundOrder(data.rounds, p.getSeed(), epoch);
            for (int i = epoch == startEpoch ? startRound : 0; i < data.rounds; i++) {
                if (p.getMaxTokens() > 0 && tokensSeen >= p.getMaxTokens()) {
                    return;
                }
                round(epoch, i, order[i]);
            }
        }
    }

    /** Fails when more than maxDroppedFraction of this fit's worker results were dropped as non-finite. */
    private void requireFewDrops() {
        long all = workerResults + droppedWorkers;
        if (all > 0 && droppedWorkers > p.getMaxDroppedFraction() * all) {
            throw new IllegalStateException(String.format(
                    java.util.Locale.ROOT,
                    "training failed: %d of %d worker results (%.0f%%) went non-finite and were dropped with their %d tokens, "
                            + "more than maxDroppedFraction = %s. The model saw only part of the data. Check the input scale "
                            + "(outlier rows), lower learningRate or set clipGrad > 0.",
                    droppedWorkers,
                    all,
                    100.0 * droppedWorkers / all,
                    droppedTokens,
                    p.getMaxDroppedFraction()));
        }
    }

    float[] preBias() {
        return preBias;
    }

    TopKSAETrainingSummary summary() {
        TopKSAETrainingSummary s = new TopKSAETrainingSummary(
                records,
                data.rows,
                data.invalid,
                rejectedRounds,
                data.workers,
                data.rounds,
                droppedWorkers,
                droppedTokens);
        return s.withRecipe(new TopKSAETrainingSummary.RecipeValues(
                trainConfig.lr,
                schedule.kind(),
                schedule.totalSteps(),
                schedule.warmupSteps(),
                data.localSteps,
                p.getOuterOptimizer(),
                outerLr));
    }

    /** A round; run once more when its results were lost after the workers ran (an executor lost). */
    private void round(int epoch, int index, int slice) {
        try {
            attempt(epoch, index, slice);
        } catch (RoundExchange.LostAfterWorkers e) {
            LOG.warn("topksae epoch {} round {}: {}; running the round again", epoch, index, e.getMessage());
            attempt(epoch, index, slice);
        }
    }

    private void attempt(int epoch, int index, int slice) {
        long t0 = System.nanoTime();
        int maxSteps = Integer.MAX_VALUE;
        if (p.getMaxTokens() > 0) {
            long perStep = Recipe.globalBatch(p, data.workers);
            maxSteps = (int) Math.min(maxSteps, (p.getMaxTokens() - tokensSeen + perStep - 1) / perStep);
        }
        boolean averaged = "averaged".equals(p.getOptimizerState());
        float[] opt = averaged || !shippedOptimizer ? optimizer : null;
        shippedOptimizer = true;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        boolean paperAuxK = trainConfig.auxKPenalty > 0 && "paper".equals(trainConfig.auxKMode);
        int chunk = RoundExchange.chunkFloats(data.workers);
        StateBroadcast start = StateBroadcast.of(spark.sparkContext(), state, opt, chunk);
        Broadcast<RoundPlan> plan = jsc.broadcast(new RoundPlan(
                run,
                driverModel.config(),
                trainConfig,
                start,
                averaged,
                maxSteps,
                preBias,
                dead.tokensSeen(),
                paperAuxK ? dead.lastFired() : null,
                schedule,
                Recipe.firstStep(tokensSeen, Recipe.globalBatch(p, data.workers)),
                chunk));
        RoundResult r;
        try {
            // the start state is dropped once every worker has read it, before the sums come back
            r = RoundExchange.run(sliceRdd(slice), plan, state.length, averaged ? optimizer.length : 0, start::destroy);
        } finally {
            start.destroy();
            plan.destroy(true); // blocking (a Spark-internal overload): no copy outlives its round
        }
        if (r.workers == 0 && r.rejected == 0) {
            return;
        }
        workerResults += r.workers;
        droppedWorkers += r.rejected;
        droppedTokens += r.rejectedTokens;
        if (r.rejected > 0) {
            LOG.warn(
                    "topksae epoch {} round {}: {} of {} workers went non-finite; their {} tokens were dropped",
                    epoch,
                    index,
                    r.rejected,
                    r.workers + r.rejected,
                    r.rejectedTokens);
        }
        boolean accepted = r.workers > 0 && update(r, averaged);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!accepted) {
            reject(epoch, index, r);
            return;
        }
        consecutiveRejected = 0;
        tokensSeen += r.stats.tokens;
        dead.update(r.stats.fireCounts, r.stats.tokens);
        roundsDone++;
        RoundRecord rec = new RoundRecord(
                epoch,
                index,
                r.stats.tokens,
                tokensSeen,
                r.stats.loss,
                r.stats.fvu(),
                r.stats.l0(),
                dead.deadFraction(),
                dead.neverFiredFraction(),
                dead.window(),
                seconds,
                Math.max(0, seconds - r.maxComputeSeconds),
                r.workers,
                r.rejected);
        records.add(rec);
        LOG.info("topksae {}", rec);
        boolean lastOfEpoch = index == data.rounds - 1;
        TrainingState ts = snapshot(lastOfEpoch ? epoch + 1 : epoch, lastOfEpoch ? 0 : index + 1);
        for (RoundListener l : listeners) {
            l.onRound(rec, ts);
        }
        checkpoint(ts);
    }

    /** Averages, steps the outer optimizer, re-normalizes; false if the result is not finite. */
    private boolean update(RoundResult r, boolean averaged) {
        float[] next = outer.apply(state, scale(r.state, 1f / r.workers));
        FlatView model = FlatView.model(driverModel);
        loadInto(driverModel, next);
        driverModel.train();
        driverModel.getDictionary();
        model.read(0, next, 0, next.length); // the re-normalized dictionary, into the same array
        float[] nextOpt = averaged ? scale(r.optimizer, 1f / r.workers) : optimizer;
        if (!RoundResult.finite(next) || !RoundResult.finite(nextOpt)) {
            loadInto(driverModel, state);
            return false;
        }
        state = next;
        optimizer = nextOpt;
        outer.accept();
        return true;
    }

    /** Writes a flat state into the model's arrays without a temporary copy (as {@link ModelState#load}). */
    private static void loadInto(SAE sae, float[] flat) {
        FlatView model = FlatView.model(sae);
        if (model.length() != flat.length) {
            throw new IllegalArgumentException("flat state length " + flat.length + " != " + model.length());
        }
        model.write(0, flat, 0, flat.length);
        if (sae instanceof topksae.model.BatchTopKSAE b) {
            float t = model.tail()[0];
            b.setRunningThreshold(t < 0 ? null : (double) t);
        }
    }

    private void reject(int epoch, int index, RoundResult r) {
        rejectedRounds++;
        consecutiveRejected++;
        LOG.warn(
                "topksae epoch {} round {}: non-finite update rejected ({} of {} workers non-finite)",
                epoch,
                index,
                r.rejected,
                r.workers + r.rejected);
        if (consecutiveRejected >= MAX_CONSECUTIVE_REJECTED) {
            throw new IllegalStateException("training diverged: the averaged update was not finite in "
                    + consecutiveRejected + " consecutive rounds (last: epoch " + epoch + " round " + index + ", "
                    + r.rejected + " of " + (r.workers + r.rejected) + " workers non-finite). Lower learningRate, "
                    + "set clipGrad > 0, or check the input scale.");
        }
    }

    private JavaRDD<float[]> sliceRdd(int slice) {
        int first = slice * data.workers;
        PartitionPruningRDD<float[]> pruned =
                PartitionPruningRDD.create(data.blocks.rdd(), new PartitionRange(first, first + data.workers));
        return JavaRDD.fromRDD(pruned, ClassTag$.MODULE$.apply(float[].class));
    }

    private TrainingState snapshot(int epoch, int nextRound) {
        return new TrainingState(
                driverModel.config(),
                state,
                optimizer,
                outer.momentum(),
                preBias,
                epoch,
                nextRound,
                roundsDone,
                tokensSeen,
                dead.lastFired());
    }

    private void checkpoint(TrainingState ts) {
        int every = p.getCheckpointInterval();
        if (every <= 0 || p.getCheckpointDir().isEmpty() || roundsDone % every != 0) {
            return;
        }
        try {
            ts.writeCheckpoint(p.getCheckpointDir(), spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint under " + p.getCheckpointDir(), e);
        }
    }

    private void restore(TrainingState s) {
        state = s.state.clone();
        optimizer = s.optimizer != null
                ? s.optimizer.clone()
                : new topksae.train.Trainer(driverModel, trainConfig)
                        .optimizer()
                        .flatState();
        outer.setMomentum(s.outerMomentum == null ? null : s.outerMomentum.clone());
        preBias = s.preBias;
        tokensSeen = s.tokensSeen;
        roundsDone = s.roundsDone;
        dead.restore(s.tokensSeen, s.lastFired);
        ModelState.load(driverModel, state);
    }

    /** Rounds in a seeded order per epoch (the slices are fixed; the order varies). */
    static int[] roundOrder(int rounds, long seed, int epoch) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(TrainingData.mix(seed + 31L * epoch)));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float[] scale(float[] a, float f) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= f;
        }
        return a;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Keeps partitions [from, to). */
    static final class PartitionRange extends AbstractFunction1<Object, Object> implements java.io.Serializable {
        private final int from;
        private final int to;

        PartitionRange(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public Object apply(Object i) {
            int p = (Integer) i;
            return p >= from && p < to;
        }
    }
}
