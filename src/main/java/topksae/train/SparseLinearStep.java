package topksae.train;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.kernel.DictNorm;
import topksae.kernel.PhaseTimes;
import topksae.kernel.Precision;
import topksae.kernel.SparseCodes;
import topksae.kernel.SparseLinearKernel;
import topksae.kernel.TopKEncoder;
import topksae.model.Linear;
import topksae.model.MLPEncoder;
import topksae.model.Parameter;
import topksae.model.SAE;
import topksae.model.TopKSAE;
import topksae.model.TopKSelect;

/**
 * The fused training step of the common case: a {@link TopKSAE} with the plain linear encoder, a
 * built-in dictionary normalization (with or without the multiplier), MSE loss (plus the paper AuxK
 * when configured), clip_grad_norm_ (after the decoder-gradient projection when configured) and
 * Adam. It gives the result of {@link Trainer}'s generic path (to float rounding) with one dense
 * GEMM per step and sparse work for the rest. It updates the parameters and the Adam moments in
 * place but does not fill the parameters' grad buffers. Disable it with -Dtopksae.fused=false.
 */
public final class SparseLinearStep {
    private final SAE sae;
    private final TrainConfig cfg;
    private final Adam adam;
    private final Linear linear;
    private final SparseLinearKernel kernel;
    private final int[] order;

    public SparseLinearStep(SAE sae, TrainConfig cfg, Adam adam) {
        if (!supports(sae, cfg)) {
            throw new IllegalArgumentException("the fused step does not support this model or config");
        }
        this.sae = sae;
        this.cfg = cfg;
        this.adam = adam;
        this.linear = linearOf(sae);
        List<Parameter> params = sae.parameters();
        adam.init(params);
        boolean useMult = sae.dictionaryLayer().usesMultiplier();
        INDArray mult = sae.stateDict().get("dictionary.multiplier");
        this.kernel = new SparseLinearKernel(
                linear.weight().value(),
                linear.bias().value(),
                sae.dictionaryLayer().weights().value(),
                mult,
                useMult,
                DictNorm.Kind.of(sae.config().normalization),
                ((TopKSAE) sae).topK());
        kernel.useBf16(Precision.useBf16(cfg.precision));
        kernel.auxK(paperAuxK(cfg) ? cfg.kAux : 0);
        kernel.decoderGradProjection(cfg.decoderGradProjection);
        String[] names = {linear.weight().name(), linear.bias().name(), "dictionary._weights", "dictionary.multiplier"};
        order = new int[useMult ? 4 : 3];
        for (int p = 0; p < order.length; p++) {
            order[p] = indexOf(params, names[p]);
        }
    }

    private static int indexOf(List<Parameter> params, String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no parameter " + name);
    }

    private static Linear linearOf(SAE sae) {
        return ((MLPEncoder) sae.encoder()).finalLinear();
    }

    /** True when the fused step computes exactly what the generic step would. */
    public static boolean supports(SAE sae, TrainConfig cfg) {
        if (!Boolean.parseBoolean(System.getProperty("topksae.fused", "true"))
                || sae == null
                || sae.getClass() != TopKSAE.class
                || cfg.auxKPenalty != 0 && !paperAuxK(cfg)
                || !(sae.encoder() instanceof MLPEncoder e)
                || !e.isPlainLinear()
                || ((TopKSAE) sae).selector() != TopKSelect.DEFAULT
                || !"cpu".equals(sae.device())) {
            return false;
        }
        Linear l = e.finalLinear();
        return DictNorm.Kind.of(sae.config().normalization) != null
                && l.weight().value().dataType() == DataType.FLOAT
                && sae.dictionaryLayer().weights().value().dataType() == DataType.FLOAT;
    }

    /** True when cfg asks for the paper AuxK (which the fused step computes). */
    static boolean paperAuxK(TrainConfig cfg) {
        return cfg.auxKPenalty != 0 && "paper".equals(cfg.auxKMode);
    }

    /** s when it is bound to this model and optimizer, else a new step for them. */
    public static SparseLinearStep reuse(SparseLinearStep s, SAE sae, TrainConfig cfg, Adam adam) {
        if (s != null && s.sae == sae && s.cfg == cfg && s.adam == adam && s.linear == linearOf(sae)) {
            return s;
        }
        return new SparseLinearStep(sae, cfg, adam);
    }

    /** One training step on x (any input shape the model accepts); returns its statistics. */
    public StepStats step(INDArray x) {
        return step(x, null);
    }

    /**
     * One training step on x; with the paper AuxK configured, dead marks the concepts it may use
     * (null or none dead: no AuxK term this step).
     */
    public StepStats step(INDArray x, boolean[] dead) {
        if (!sae.isTraining()) {
            sae.train();
        }
        INDArray tokens = sae.toTokens(x);
        INDArray[] m = new INDArray[order.length];
        INDArray[] v = new INDArray[order.length];
        for (int p = 0; p < order.length; p++) {
            m[p] = adam.expAvg(order[p]);
            v[p] = adam.expAvgSq(order[p]);
        }
        int t = adam.advanceStep();
        SparseLinearKernel.Result r = kernel.step(
                tokens,
                m,
                v,
                new SparseLinearKernel.Hyper(adam.lr(), adam.beta1(), adam.beta2(), adam.eps(), cfg.clipGrad, t),
                dead,
                cfg.auxKPenalty);
        StepStats s = new StepStats();
        s.tokens = r.tokens;
        s.loss = r.loss;
        s.sse = r.sse;
        s.sumX = r.sumX;
        s.sumSqX = r.sumSqX;
        s.l0Sum = r.l0Sum;
        s.fireCounts = r.fires;
        return s;
    }

    /** True when {@link #encoderFor} gives the fast inference path for this model. */
    public static boolean supportsEncode(SAE sae) {
        return sae != null
                && sae.getClass() == TopKSAE.class
                && sae.encoder() instanceof MLPEncoder e
                && e.isPlainLinear()
                && ((TopKSAE) sae).selector() == TopKSelect.DEFAULT
                && e.finalLinear().weight().value().dataType() == DataType.FLOAT;
    }

    /**
     * A reusable fast encoder (one GEMM + per-row top-k into sparse codes) for this model, reading its
     * live weights, or null when the model is not a plain linear TopK SAE. Not thread-safe: one per task.
     */
    public static TopKEncoder encoderFor(SAE sae) {
        return encoderFor(sae, "auto");
    }

    /** {@link #encoderFor(SAE)} with the encoder GEMM's precision: "float32", "bf16" or "auto". */
    public static TopKEncoder encoderFor(SAE sae, String precision) {
        if (!supportsEncode(sae)) {
            return null;
        }
        Linear l = linearOf(sae);
        return new TopKEncoder(l.weight().value(), l.bias().value(), ((TopKSAE) sae).topK())
                .useBf16(Precision.useBf16(precision));
    }

    /** True when this step's encoder GEMM runs in bf16. */
    public boolean bf16() {
        return kernel.bf16();
    }

    /** Sparse top-k codes of x: per row up to k (index, value) pairs, indices increasing. */
    public SparseCodes encodeSparse(INDArray x) {
        return kernel.encodeSparse(sae.toTokens(x));
    }

    /** Per-phase wall time of the steps so far. */
    public PhaseTimes times() {
        return kernel.times();
    }
}
