package topksae.spark;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sets ND4J's OpenMP and BLAS threads to the task's cpus (spark.task.cpus), once per value per
 * executor JVM. The first call also loads the ND4J natives, once per JVM.
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
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
    configured = n;
  }
}
