package topksae.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.SAE;

/**
 * overcomplete's train_sae on one machine: epochs over batches; per epoch the mean step loss,
 * mean R2, mean L0, the dead-feature ratio (never fired in the epoch) and the wall time.
 */
public final class LocalTrainer {
    /** One epoch's log line. */
    public record EpochLog(int epoch, double avgLoss, double r2, double l0, double deadRatio, double seconds) {}

    private final Trainer trainer;
    private final PrintStream out;

    public LocalTrainer(SAE sae, TrainConfig cfg, PrintStream out) {
        this.trainer = new Trainer(sae, cfg);
        this.out = out;
    }

    public Trainer trainer() {
        return trainer;
    }

    public List<EpochLog> train(Iterable<INDArray> batches, int epochs) {
        List<EpochLog> logs = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            logs.add(epoch(batches, e, epochs));
        }
        return logs;
    }

    private EpochLog epoch(Iterable<INDArray> batches, int e, int epochs) {
        trainer.sae().train();
        long start = System.nanoTime();
        double loss = 0;
        double r2 = 0;
        double l0 = 0;
        int count = 0;
        StepStats all = new StepStats();
        for (INDArray x : batches) {
            StepStats s = trainer.step(x);
            loss += s.loss;
            r2 += s.r2();
            l0 += s.l0();
            count++;
            all.merge(s);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        EpochLog log = new EpochLog(e, loss / count, r2 / count, l0 / count, all.deadFraction(), secs);
        if (out != null) {
            out.printf(
                    Locale.ROOT,
                    "Epoch[%d/%d], Loss: %.4f, R2: %.4f, L0: %.4f, Dead Features: %.1f%%, Time: %.4f seconds%n",
                    e,
                    epochs,
                    log.avgLoss(),
                    log.r2(),
                    log.l0(),
                    100 * log.deadRatio(),
                    secs);
        }
        return log;
    }
}
