package topksae.spark;

import org.apache.spark.TaskContext;
import topksae.kernel.Par;

/**
 * Sets the sparse kernels' threads and ND4J's OpenMP and BLAS threads to the task's cpus
 * (spark.task.cpus), once per value per executor JVM, so concurrent tasks do not oversubscribe
 * the cores (in local mode nothing sets OMP_NUM_THREADS, and the kernels would use every core). The first call also loads the ND4J natives, once per JVM.
 */
final class NativeThreads {
    private static int configured = -1;

    private NativeThreads() {}

    /** Call at the start of a task that runs ND4J. */
    static synchronized void forCurrentTask() {
        TaskContext tc = TaskContext.get();
        int n = tc == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, tc.cpus());
        if (n == configured) {
            return;
        }
        Par.setThreads(n); // the sparse kernels' Java threads, ND4J's OpenMP threads and BLAS's
        configured = n;
    }
}
