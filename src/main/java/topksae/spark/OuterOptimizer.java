package topksae.spark;

/**
 * The driver's update from the previous round's state and the workers' average. "average" takes
 * the average. "sgd" moves from prev along the average's delta by lr: new = prev + lr * (average -
 * prev), so lr 1 is the average and lr = workers the sum of the workers' deltas. "nesterov" (DiLoCo's outer step) treats prev - average as a gradient and applies
 * SGD with Nesterov momentum: buf = mu * buf + g; new = prev - lr * (g + mu * buf), on the
 * trainable positions only (buffers such as running statistics take the average).
 */
final class OuterOptimizer {
    private final boolean nesterov;
    private final boolean sgd;
    private final double lr;
    private final double mu;
    private final boolean[] trainable;
    private float[] momentum;
    private float[] pending;

    OuterOptimizer(String kind, double lr, double mu, boolean[] trainable) {
        this.nesterov = "nesterov".equals(kind);
        this.sgd = "sgd".equals(kind);
        this.lr = lr;
        this.mu = mu;
        this.trainable = trainable;
    }

    /** The next state (average may be overwritten); the momentum changes only on {@link #accept()}. */
    float[] apply(float[] prev, float[] average) {
        if (sgd) {
            return scaledDelta(prev, average);
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

    private float[] scaledDelta(float[] prev, float[] average) {
        for (int i = 0; i < prev.length; i++) {
            if (trainable[i]) {
                average[i] = (float) (prev[i] + lr * (average[i] - prev[i]));
            }
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
