package topksae.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * A listener that keeps the fit's plan and round records for another thread to poll, e.g. the
 * Python progress bar (one call returns many records as numbers). Times are seconds since the
 * queue was made, taken when the driver reports each event.
 */
public final class RoundQueue implements RoundListener {
    /** The names of the numbers {@link #since} returns per record, in order. */
    public static final String[] FIELDS = {
        "epoch",
        "round",
        "tokens",
        "tokensSeen",
        "loss",
        "fvu",
        "l0",
        "deadFraction",
        "neverFiredFraction",
        "seconds",
        "workers",
        "arrivedSeconds"
    };

    private final long startNanos = System.nanoTime();
    private final List<double[]> records = new ArrayList<>();
    private double[] plan;

    @Override
    public synchronized void onStart(FitPlan p) {
        plan = new double[] {p.rows(), p.workers(), p.roundsPerEpoch(), p.tokensDone(), p.tokensPlanned(), now()};
    }

    @Override
    public synchronized void onRound(RoundRecord r, TrainingState state) {
        records.add(new double[] {
            r.epoch(),
            r.round(),
            r.tokens(),
            r.tokensSeen(),
            r.loss(),
            r.fvu(),
            r.l0(),
            r.deadFraction(),
            r.neverFiredFraction(),
            r.seconds(),
            r.workers(),
            now()
        });
    }

    public static String[] fields() {
        return FIELDS.clone();
    }

    /** rows, workers, roundsPerEpoch, tokensDone, tokensPlanned, arrivedSeconds; null before the start. */
    public synchronized double[] plan() {
        return plan == null ? null : plan.clone();
    }

    public synchronized int size() {
        return records.size();
    }

    /** The records from index {@code from} on, flattened ({@link #FIELDS} numbers each). */
    public synchronized double[] since(int from) {
        int n = Math.max(0, records.size() - from);
        double[] out = new double[n * FIELDS.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(records.get(from + i), 0, out, i * FIELDS.length, FIELDS.length);
        }
        return out;
    }

    private double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
