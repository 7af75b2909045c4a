package topksae.train;

/** Optimizer, clipping and loss settings of one training step (defaults as overcomplete's README). */
public final class TrainConfig implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public double lr = 5e-4;
    public double beta1 = 0.9;
    public double beta2 = 0.999;
    public double eps = 1e-8;
    /** Max total gradient norm, torch clip_grad_norm_ semantics; 0 = off. */
    public double clipGrad = 1.0;
    /** Weight of the AuxK term; 0 = plain MSE. */
    public double auxKPenalty = 0.0;
    /** "overcomplete" (top_k_auxiliary_loss) or "paper" (k_aux over dead latents). */
    public String auxKMode = "overcomplete";

    public int kAux = 512;
    /** A latent is dead (paper AuxK, dead metric) after this many training tokens without firing. */
    public long deadTokens = 10_000_000L;
    /**
     * Gao et al.'s decoder-gradient projection: before clipping and Adam, remove from each dictionary
     * row's gradient its component along the row (with the l2 norm the row stays on the unit sphere
     * to first order). Off = overcomplete's step.
     */
    public boolean decoderGradProjection = false;
    /**
     * Encoder GEMM precision of the fused step: "float32", "bf16" (bf16 inputs, float32 output; top-k,
     * loss, backward, Adam and the weights stay float32) or "auto" (bf16 where the CPU has AMX or
     * AVX512-BF16 and oneDNN loads). -Dtopksae.precision replaces "auto". See topksae.kernel.Precision.
     */
    public String precision = "auto";
}
