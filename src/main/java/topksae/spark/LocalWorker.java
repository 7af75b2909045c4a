package topksae.spark;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.SAE;
import topksae.train.StepStats;
import topksae.train.Trainer;

/**
 * One worker of a fit, living in an executor across rounds: a core model and Trainer, batch
 * buffers allocated once per batch size. Each round it loads the broadcast state, runs up to
 * maxSteps steps of the core Trainer over its slice (one step per block of batchSize rows, each
 * at the schedule's rate for its global step) and returns its new state. With the paper AuxK, its dead
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

  /** The round's work for worker w over its slice's blocks. */
  static Iterator<RoundResult> run(int w, Iterator<float[]> blocks, RoundPlan plan) {
    NativeThreads.forCurrentTask();
    LocalWorker worker = WorkerCache.get(plan.run(), w, () -> new LocalWorker(plan));
    RoundResult r = worker.round(blocks, plan);
    if (r.rejected > 0) {
      WorkerCache.remove(plan.run(), w);
    }
    return java.util.List.of(r).iterator();
  }

  private RoundResult round(Iterator<float[]> blocks, RoundPlan plan) {
    long t0 = System.nanoTime();
    ModelState.load(sae, plan.state());
    if (plan.optimizer() != null && (plan.averagedOptimizer() || !hasOptimizerState)) {
      trainer.optimizer().loadFlatState(plan.optimizer());
    }
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
    float[] state = ModelState.of(sae);
    float[] opt = plan.averagedOptimizer() ? trainer.optimizer().flatState() : null;
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (stats == null) {
      return RoundResult.empty();
    }
    if (!RoundResult.finite(state) || !RoundResult.finite(opt)) {
      return RoundResult.rejected(stats.tokens, seconds);
    }
    return RoundResult.of(state, opt, stats, seconds);
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
