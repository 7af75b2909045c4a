package topksae.kernel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Accumulated wall time per phase of the fused step (for the benchmark's profile). */
public final class PhaseTimes {
    public static final String[] PHASES = {"renorm", "gemm", "topk", "decode", "backward", "adam"};
    private static final java.lang.management.OperatingSystemMXBean OS =
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private final long[] nanos = new long[PHASES.length];
    private final long[] cpu = new long[PHASES.length];
    private long last;
    private long lastCpu;
    private int steps;

    /** Starts timing a step. */
    public void start() {
        last = System.nanoTime();
        lastCpu = processCpuNanos();
    }

    /** CPU time of the whole process (all threads, BLAS included), or 0 if unknown. */
    public static long processCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean o ? o.getProcessCpuTime() : 0L;
    }

    /** Ends phase number i (index into PHASES), starting the next one. */
    public void lap(int i) {
        long now = System.nanoTime();
        nanos[i] += now - last;
        last = now;
        long c = processCpuNanos();
        cpu[i] += c - lastCpu;
        lastCpu = c;
    }

    public void endStep() {
        steps++;
    }

    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        java.util.Arrays.fill(cpu, 0);
        steps = 0;
    }

    public int steps() {
        return steps;
    }

    /** Mean wall milliseconds per step of every phase, in PHASES order. */
    public Map<String, Double> meanMillis() {
        return mean(nanos);
    }

    /** Mean process CPU milliseconds (summed over threads) per step of every phase. */
    public Map<String, Double> meanCpuMillis() {
        return mean(cpu);
    }

    private Map<String, Double> mean(long[] t) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < PHASES.length; i++) {
            out.put(PHASES[i], steps == 0 ? 0.0 : t[i] / 1e6 / steps);
        }
        return out;
    }
}
