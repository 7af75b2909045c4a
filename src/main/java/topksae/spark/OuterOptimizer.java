package topksae.spark;

/**
 * The driver's update from the previous round's state and the workers' average. "average" takes
 * the average. "sum" applies the sum of the workers' updates, new = prev + W * (average - prev):
 * W workers at equal tokens then move as far per token as one worker does, where the average
 * moves W times less. "nesterov" (DiLoCo's outer step) treats prev - average as a gradient and
 * applies SGD with Nesterov momentum: buf = mu * buf + g; new = prev - lr * (g + mu * buf).
 * "sum" and "nesterov" change the trainable positions only (buffers such as running statistics
 * take the average).
 */
final class OuterOptimizer {
  private final boolean nesterov;
  private final boolean sum;
  private final double lr;
  private final double mu;
  private final boolean[] trainable;
  private float[] momentum;
  private float[] pending;

  OuterOptimizer(String kind, double lr, double mu, boolean[] trainable) {
    this.nesterov = "nesterov".equals(kind);
    this.sum = "sum".equals(kind);
    this.lr = lr;
    this.mu = mu;
    this.trainable = trainable;
  }

  /**
   * The next state from the average of {@code workers} workers (average may be overwritten); the
   * momentum changes only on {@link #accept()}.
   */
  float[] apply(float[] prev, float[] average, int workers) {
    if (sum) {
      for (int i = 0; i < prev.length; i++) {
        if (trainable[i]) {
          average[i] = prev[i] + workers * (average[i] - prev[i]);
        }
      }
      return average;
    }
    if (!nesterov) {
      return average;
    }
    if (pending == null) {
      pending = new float[prev.length];
    }
    for (int i = 0; i < prev.length; i++) {
      if (!trainable[i]) {
        continue;
      }
      float g = prev[i] - average[i];
      pending[i] = (float) (mu * (momentum == null ? 0f : momentum[i]) + g);
      average[i] = (float) (prev[i] - lr * (g + mu * pending[i]));
    }
    return average;
  }

  /** Keeps the momentum of the last {@link #apply} (call when its result is accepted). */
  void accept() {
    if (pending != null) {
      float[] t = momentum;
      momentum = pending;
      pending = t;
    }
  }

  /** The momentum buffer (null before the first nesterov step), for checkpoints. */
  float[] momentum() {
    return momentum;
  }

  void setMomentum(float[] m) {
    momentum = m;
  }
}
