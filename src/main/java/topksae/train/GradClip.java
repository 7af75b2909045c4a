package topksae.train;

import java.util.List;
import topksae.model.Parameter;

/** torch 1.13 clip_grad_norm_: total = ||(||g_p||)||, every grad *= min(1, max / (total + 1e-6)). */
public final class GradClip {
    private GradClip() {}

    public static double totalNorm(List<Parameter> params) {
        double s = 0;
        for (Parameter p : params) {
            double n = p.grad().norm2Number().doubleValue();
            s += n * n;
        }
        return Math.sqrt(s);
    }

    /** Clips in place and returns the total norm before clipping. */
    public static double clip(List<Parameter> params, double maxNorm) {
        double total = totalNorm(params);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1.0) {
            for (Parameter p : params) {
                p.grad().muli(coef);
            }
        }
        return total;
    }
}
