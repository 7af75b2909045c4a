package topksae.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Timing and memory helpers for the benchmarks. */
public final class Stats {
    private Stats() {}

    /** Median of the samples. */
    public static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    public static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    /** Seconds taken by r. */
    public static double time(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e9;
    }

    /** Peak resident set size of this process in MB (VmHWM), or -1 if unknown. */
    public static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
