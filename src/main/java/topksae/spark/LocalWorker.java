package topksae.spark;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;
import topksae.model.BatchTopKSAE;
import topksae.model.SAE;
import topksae.train.StepStats;
import topksae.train.Trainer;

/**
 * One worker of a fit, living in an executor across rounds: a core model and Trainer, batch
 * buffers allocated once per batch size. Each round it loads the broadcast state, runs up to
 * maxSteps steps of the core Trainer over its slice (one step per block of batchSize rows, each
 * at the schedule's rate for its global step) and returns its new state in chunks
 * ({@link RoundExchange}). With the paper AuxK, its dead
 * set starts each round from the driver's merged one and then follows this worker's own firing (aged by
 * its own tokens). A worker whose state became non-finite is dropped (rebuilt next round,
 * with fresh Adam moments in per-worker mode).
 */
final class LocalWorker {
    private final SAE sae;
    private final Trainer trainer;
    private final Map<Integer, INDArray> buffers = new HashMap<>();
    private boolean hasOptimizerState;
    private float[] scratch = new float[0];

    private LocalWorker(RoundPlan plan) {
        sae = SAE.fromConfig(plan.model());
        sae.train();
        trainer = new Trainer(sae, plan.train());
    }

    /**
     * The round's work for worker w over its slice's blocks: shuffle records keyed by (chunk, worker)
     * holding its new state in chunks (read from ND4J one chunk at a time, as the shuffle writes
     * them), counts and statistics on chunk 0; only the counts if it ran no step or was rejected.
     */
    static Iterator<Tuple2<Long, RoundExchange.Piece>> run(int w, Iterator<float[]> blocks, RoundPlan plan) {
        NativeThreads.forCurrentTask();
        LocalWorker worker = WorkerCache.get(plan.run(), w, () -> new LocalWorker(plan));
        RoundResult meta = worker.round(blocks, plan);
        if (meta.rejected > 0) {
            WorkerCache.remove(plan.run(), w);
        }
        if (meta.workers == 0) {
            return List.of(new Tuple2<>(RoundExchange.key(0, w), new RoundExchange.Piece(0, null, meta)))
                    .iterator();
        }
        return worker.pieces(w, meta, plan);
    }

    private Iterator<Tuple2<Long, RoundExchange.Piece>> pieces(int w, RoundResult meta, RoundPlan plan) {
        FlatView model = FlatView.model(sae);
        FlatView opt = plan.averagedOptimizer() ? FlatView.adam(trainer.optimizer()) : null;
        long[] parts = opt == null ? new long[] {model.length()} : new long[] {model.length(), opt.length()};
        List<RoundExchange.Range> ranges = RoundExchange.ranges(parts, plan.chunkFloats());
        return new Iterator<>() {
            private int c;

            public boolean hasNext() {
                return c < ranges.size();
            }

            public Tuple2<Long, RoundExchange.Piece> next() {
                RoundExchange.Range r = ranges.get(c);
                float[] values = new float[r.length()];
                (r.part() == 0 ? model : opt).read(r.offset(), values, 0, r.length());
                RoundExchange.Piece p = new RoundExchange.Piece(c, values, c == 0 ? meta : null);
                return new Tuple2<>(RoundExchange.key(c++, w), p);
            }
        };
    }

    /** Trains over the blocks; the counts, statistics and compute time (no state: see {@link #pieces}). */
    private RoundResult round(Iterator<float[]> blocks, RoundPlan plan) {
        long t0 = System.nanoTime();
        load(plan.state(), plan.state().hasOptimizer() && (plan.averagedOptimizer() || !hasOptimizerState));
        hasOptimizerState = true;
        if (plan.lastFired() != null) {
            trainer.deadLatents().restore(plan.deadSeen(), plan.lastFired());
        }
        StepStats stats = null;
        int dim = sae.inputDim();
        for (int steps = 0; steps < plan.maxSteps() && blocks.hasNext(); steps++) {
            float[] block = blocks.next();
            trainer.optimizer().setLr(plan.lr().at(plan.firstStep() + steps));
            StepStats s = trainer.step(batch(block, dim, plan.preBias()));
            if (stats == null) {
                stats = s;
            } else {
                stats.merge(s);
            }
        }
        if (stats == null) {
            return RoundResult.empty();
        }
        boolean finite = FlatView.model(sae).finite()
                && (!plan.averagedOptimizer()
                        || FlatView.adam(trainer.optimizer()).finite());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return finite ? RoundResult.of(null, null, stats, seconds) : RoundResult.rejected(stats.tokens, seconds);
    }

    /** Loads the broadcast state chunk by chunk straight into the model (and the Adam moments). */
    private void load(StateBroadcast state, boolean withOptimizer) {
        FlatView model = FlatView.model(sae);
        FlatView opt = withOptimizer ? FlatView.adam(trainer.optimizer()) : null;
        state.loadInto(model, opt);
        if (sae instanceof BatchTopKSAE b) {
            float t = model.tail()[0];
            b.setRunningThreshold(t < 0 ? null : (double) t);
        }
        if (opt != null) {
            trainer.optimizer().setStepCount(Math.round(opt.tail()[0]));
        }
    }

    /** The block as a [rows, dim] array in a reused buffer, minus the fixed offset if any. */
    private INDArray batch(float[] block, int dim, float[] preBias) {
        int rows = block.length / dim;
        INDArray x = buffers.computeIfAbsent(rows, r -> Nd4j.create(DataType.FLOAT, r, dim));
        if (preBias == null) {
            x.data().asNioFloat().put(block);
            return x;
        }
        if (scratch.length < block.length) {
            scratch = new float[block.length];
        }
        for (int o = 0; o < block.length; o += dim) {
            for (int j = 0; j < dim; j++) {
                scratch[o + j] = block[o + j] - preBias[j];
            }
        }
        x.data().asNioFloat().put(scratch, 0, block.length);
        return x;
    }
}
