package topksae.train;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import topksae.model.Parameter;

/**
 * torch.optim.Adam (no weight decay, no amsgrad): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). Moments are kept per parameter, by position
 * in the list given to {@link #step(List)}, and exposed so fused steps can update them in place.
 */
public final class Adam {
    private double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final List<INDArray> expAvg = new ArrayList<>();
    private final List<INDArray> expAvgSq = new ArrayList<>();
    private int step;

    public Adam(double lr, double beta1, double beta2, double eps) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    public Adam(TrainConfig c) {
        this(c.lr, c.beta1, c.beta2, c.eps);
    }

    /** Creates zero moments for these parameters if not there yet. */
    public void init(List<Parameter> params) {
        for (int i = expAvg.size(); i < params.size(); i++) {
            expAvg.add(Nd4j.zerosLike(params.get(i).value()));
            expAvgSq.add(Nd4j.zerosLike(params.get(i).value()));
        }
    }

    /** One Adam update of every parameter from its grad. */
    public void step(List<Parameter> params) {
        init(params);
        step++;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = 0; i < params.size(); i++) {
            INDArray g = params.get(i).grad();
            INDArray m = expAvg.get(i);
            INDArray v = expAvgSq.get(i);
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(v, true).divi(bc2Sqrt).addi(eps);
            params.get(i).value().subi(m.div(denom).muli(stepSize));
        }
    }

    /** First moment (exp_avg) of parameter i. */
    public INDArray expAvg(int i) {
        return expAvg.get(i);
    }

    /** Second moment (exp_avg_sq) of parameter i. */
    public INDArray expAvgSq(int i) {
        return expAvgSq.get(i);
    }

    public int size() {
        return expAvg.size();
    }

    public int stepCount() {
        return step;
    }

    /** Sets the step count (as {@link #loadFlatState} does from the state's last value). */
    public void setStepCount(int count) {
        step = count;
    }

    /** For fused steps that apply the update themselves: advance the step counter, return it. */
    public int advanceStep() {
        return ++step;
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    /** m then v of every parameter in order, then the step count. */
    public float[] flatState() {
        long total = 1;
        for (int i = 0; i < expAvg.size(); i++) {
            total += 2 * expAvg.get(i).length();
        }
        float[] out = new float[Math.toIntExact(total)];
        int pos = 0;
        for (int i = 0; i < expAvg.size(); i++) {
            pos = put(expAvg.get(i), out, pos);
            pos = put(expAvgSq.get(i), out, pos);
        }
        out[pos] = step;
        return out;
    }

    private static int put(INDArray a, float[] out, int pos) {
        float[] v = a.dup('c').data().asFloat();
        System.arraycopy(v, 0, out, pos, v.length);
        return pos + v.length;
    }

    /** Inverse of {@link #flatState()}; the moments must exist (call {@link #init} first). */
    public void loadFlatState(float[] s) {
        int pos = 0;
        for (int i = 0; i < expAvg.size(); i++) {
            pos = take(expAvg.get(i), s, pos);
            pos = take(expAvgSq.get(i), s, pos);
        }
        if (pos + 1 != s.length) {
            throw new IllegalArgumentException("Adam state length " + s.length + " != " + (pos + 1));
        }
        step = Math.round(s[pos]);
    }

    private static int take(INDArray a, float[] s, int pos) {
        int n = Math.toIntExact(a.length());
        a.assign(Nd4j.create(java.util.Arrays.copyOfRange(s, pos, pos + n), a.shape(), 'c')
                .castTo(a.dataType()));
        return pos + n;
    }
}
