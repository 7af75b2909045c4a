package topksae.spark;

/**
 * The driver's update from the previous round's state and the workers' average. "average" takes
 * the average. "nesterov" (DiLoCo's outer step) treats prev - average as a gradient and applies
 * SGD with Nesterov momentum: buf = mu * buf + g; new = prev - lr * (g + mu * buf), on the
 * trainable positions only (buffers such as running statistics take the average).
 */
final class OuterOptimizer {
  private final boolean nesterov;
  private final double lr;
  private final double mu;
  private final boolean[] trainable;
  private float[] momentum;

  OuterOptimizer(String kind, double lr, double mu, boolean[] trainable) {
    this.nesterov = "nesterov".equals(kind);
    this.lr = lr;
    this.mu = mu;
    this.trainable = trainable;
  }

  /** The next state; average may be overwritten. */
  float[] apply(float[] prev, float[] average) {
    if (!nesterov) {
      return average;
    }
    if (momentum == null) {
      momentum = new float[prev.length];
    }
    for (int i = 0; i < prev.length; i++) {
      if (!trainable[i]) {
        continue;
      }
      float g = prev[i] - average[i];
      momentum[i] = (float) (mu * momentum[i] + g);
      average[i] = (float) (prev[i] - lr * (g + mu * momentum[i]));
    }
    return average;
  }

  /** The momentum buffer (null before the first nesterov step), for checkpoints. */
  float[] momentum() {
    return momentum;
  }

  void setMomentum(float[] m) {
    momentum = m;
  }
}
