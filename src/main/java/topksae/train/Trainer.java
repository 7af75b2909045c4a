package topksae.train;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.Parameter;
import topksae.model.SAE;

/**
 * One step of overcomplete's train_sae: zero_grad, forward, loss(x, xHat, pre, codes,
 * getDictionary()), backward, clip_grad_norm_, Adam. The phases are public so tests can check each.
 */
public final class Trainer {
    /** What a forward and backward pass produced (x as tokens). */
    public record Pass(INDArray tokens, SAE.Output output, LossResult loss) {}

    private final SAE sae;
    private final TrainConfig cfg;
    private final Adam adam;
    private final List<Parameter> params;
    private final Loss loss;
    private final DeadLatents dead;
    private SparseLinearStep fast;
    private final boolean[] deadMask;

    public Trainer(SAE sae, TrainConfig cfg) {
        this(sae, cfg, null);
    }

    /** With a custom loss (overcomplete's criterion argument); null picks it from cfg. */
    public Trainer(SAE sae, TrainConfig cfg, Loss customLoss) {
        this.sae = sae;
        this.cfg = cfg;
        this.adam = new Adam(cfg);
        this.params = sae.parameters();
        this.adam.init(params);
        this.dead = new DeadLatents(sae.nbConcepts(), cfg.deadTokens);
        this.deadMask = new boolean[sae.nbConcepts()];
        this.loss = customLoss != null ? customLoss : lossFor(cfg, dead);
    }

    static Loss lossFor(TrainConfig cfg, DeadLatents dead) {
        if (cfg.auxKPenalty == 0) {
            return Losses::mse;
        }
        return switch (cfg.auxKMode) {
            case "overcomplete" -> Losses.topKAuxiliary(cfg.auxKPenalty);
            case "paper" -> dead.loss(cfg.auxKPenalty, cfg.kAux);
            default -> throw new IllegalArgumentException("auxKMode must be overcomplete or paper: " + cfg.auxKMode);
        };
    }

    /** A full training step on a batch; returns its statistics. */
    public StepStats step(INDArray x) {
        if (SparseLinearStep.supports(sae, cfg)) {
            fast = SparseLinearStep.reuse(fast, sae, cfg, adam);
            StepStats s = fast.step(x, SparseLinearStep.paperAuxK(cfg) ? dead.mask(deadMask) : null);
            dead.update(s.fireCounts, s.tokens);
            return s;
        }
        Pass p = forwardBackward(x);
        if (cfg.decoderGradProjection) {
            projectDecoderGradient();
        }
        clipGradients();
        applyUpdate();
        StepStats s = StepStats.of(
                p.loss().loss(), p.tokens(), p.output().xHat(), p.output().codes());
        dead.update(s.fireCounts, s.tokens);
        return s;
    }

    /** zero_grad, forward (train mode), loss with a fresh getDictionary(), backward. */
    public Pass forwardBackward(INDArray x) {
        if (!sae.isTraining()) {
            sae.train();
        }
        params.forEach(Parameter::zeroGrad);
        INDArray tokens = sae.toTokens(x);
        SAE.Output out = sae.forward(tokens);
        INDArray dict = sae.getDictionary();
        LossResult r = loss.apply(tokens, out.xHat(), out.preCodes(), out.codes(), dict);
        sae.backward(r.gradXHat(), r.gradPreCodes(), r.gradCodes());
        sae.backwardDictionary(r.gradDictionary(), dict);
        return new Pass(tokens, out, r);
    }

    /**
     * Gao et al.'s projection: removes from each dictionary row's gradient its component along the row
     * (the weights as the last read left them), before clipping and Adam.
     */
    public void projectDecoderGradient() {
        Parameter w = sae.dictionaryLayer().weights();
        INDArray v = w.value();
        INDArray g = w.grad();
        INDArray along = g.mul(v).sum(true, 1).divi(v.mul(v).sum(true, 1).addi(Float.MIN_NORMAL));
        g.subi(v.mulColumnVector(along));
    }

    /** clip_grad_norm_ if enabled; returns the total norm before clipping (NaN when off). */
    public double clipGradients() {
        return cfg.clipGrad > 0 ? GradClip.clip(params, cfg.clipGrad) : Double.NaN;
    }

    public void applyUpdate() {
        adam.step(params);
    }

    public Adam optimizer() {
        return adam;
    }

    public SAE sae() {
        return sae;
    }

    public TrainConfig config() {
        return cfg;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** Per-latent tokens since it last fired (for the paper AuxK). */
    public DeadLatents deadLatents() {
        return dead;
    }
}
