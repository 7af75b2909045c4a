package topksae.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small fixed pool for the sparse kernels. Work is split into chunks of a fixed grain, so
 * per-chunk partial results (and therefore sums) do not depend on the thread schedule.
 */
public final class Par {
    /** Body over a half-open range [lo, hi) that is chunk number {@code chunk}. */
    @FunctionalInterface
    public interface Body {
        void run(int chunk, int lo, int hi);
    }

    private static int threads = defaultThreads();
    private static ExecutorService pool;

    private Par() {}

    /** -Dtopksae.threads, else OMP_NUM_THREADS (Spark sets it to spark.task.cpus), else all cores. */
    static int defaultThreads() {
        String s = System.getProperty("topksae.threads", System.getenv("OMP_NUM_THREADS"));
        try {
            if (s != null && Integer.parseInt(s.trim()) > 0) {
                return Integer.parseInt(s.trim());
            }
        } catch (NumberFormatException e) {
            // fall through to the number of cores
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Sets the threads used by these kernels, by ND4J's own loops and by BLAS. */
    public static synchronized void setThreads(int n) {
        int t = Math.max(1, n);
        if (t != threads && pool != null) {
            pool.shutdown();
            pool = null;
        }
        threads = t;
        Nd4j.getEnvironment().setMaxThreads(t);
        Nd4j.getEnvironment().setMaxMasterThreads(t);
        Nd4j.factory().blas().setMaxThreads(t);
    }

    public static synchronized int threads() {
        return threads;
    }

    private static synchronized ExecutorService pool() {
        if (pool == null && threads > 1) {
            pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread th = new Thread(r, "topksae-kernel");
                th.setDaemon(true);
                return th;
            });
        }
        return pool;
    }

    /** Number of chunks {@link #range} uses for n items and this grain. */
    public static int chunks(int n, int grain) {
        return (n + grain - 1) / grain;
    }

    /** Runs body over [0, n) in chunks of {@code grain}, on all threads (the caller included). */
    public static void range(int n, int grain, Body body) {
        int nChunks = chunks(n, grain);
        if (nChunks == 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c = next.getAndIncrement(); c < nChunks; c = next.getAndIncrement()) {
                body.run(c, c * grain, Math.min(n, (c + 1) * grain));
            }
        };
        ExecutorService p = pool();
        int helpers = p == null ? 0 : Math.min(threads - 1, nChunks - 1);
        Future<?>[] fs = new Future<?>[helpers];
        for (int i = 0; i < helpers; i++) {
            fs[i] = p.submit(worker);
        }
        worker.run();
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
