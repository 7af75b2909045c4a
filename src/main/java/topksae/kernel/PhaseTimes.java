package topksae.kernel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Accumulated wall time per phase of the fused step (for the benchmark's profile). */
public final class PhaseTimes {
    public static final String[] PHASES = {"renorm", "gemm", "topk", "decode", "backward", "adam"};
    private final long[] nanos = new long[PHASES.length];
    private long last;
    private int steps;

    /** Starts timing a step. */
    public void start() { last = System.nanoTime(); }

    /** Ends phase number i (index into PHASES), starting the next one. */
    public void lap(int i) {
        long now = System.nanoTime();
        nanos[i] += now - last;
        last = now;
    }

    public void endStep() { steps++; }

    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        steps = 0;
    }

    public int steps() { return steps; }

    /** Mean milliseconds per step of every phase, in PHASES order. */
    public Map<String, Double> meanMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < PHASES.length; i++) {
            out.put(PHASES[i], steps == 0 ? 0.0 : nanos[i] / 1e6 / steps);
        }
        return out;
    }
}
