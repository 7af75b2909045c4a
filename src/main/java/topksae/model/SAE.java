package topksae.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * overcomplete's SAE: an encoder giving (preCodes, activations), a sparsifier (top-k in the
 * subclasses), and a dictionary layer, xHat = codes D. Inputs [batch, dim], [batch, seq, dim] or
 * [batch, c, h, w] are rearranged to one token per row with the channel axis as dim.
 * Also carries the hand-derived backward pass used by the trainers.
 */
public abstract class SAE {
    public record Encoded(INDArray preCodes, INDArray codes) {}

    public record Output(INDArray preCodes, INDArray codes, INDArray xHat) {}

    protected final int[] inputShape;
    protected final int inDim;
    protected final int nbConcepts;
    protected final String device;
    protected final long seed;
    protected String encoderName;
    protected final Encoders.Options encoderOptions;
    protected final DictionaryParams dictionaryParams;
    protected Encoder encoder;
    protected final DictionaryLayer dictionary;
    private boolean training = true;
    private INDArray lastCodes;
    private INDArray lastDictionary;
    private int[][] lastSelection;

    protected SAE(
            int[] inputShape,
            int nbConcepts,
            Object encoderModule,
            DictionaryParams dictionaryParams,
            String device,
            Encoders.Options options,
            long seed) {
        if (inputShape == null || inputShape.length < 1 || inputShape.length > 3) {
            throw new IllegalArgumentException("Input shape must be 1D, 2D or 3D.");
        }
        this.device = Devices.check(device);
        this.inputShape = inputShape.clone();
        this.inDim = switch (inputShape.length) {
            case 1 -> inputShape[0];
            case 2 -> inputShape[1];
            default -> inputShape[0];
        };
        this.nbConcepts = nbConcepts;
        this.seed = seed;
        this.encoderOptions = options == null ? Encoders.Options.DEFAULT : options;
        this.dictionaryParams = dictionaryParams == null ? new DictionaryParams() : dictionaryParams;
        Random rng = new Random(seed);
        if (encoderModule == null || encoderModule instanceof String) {
            this.encoderName = encoderModule == null ? "linear" : (String) encoderModule;
            this.encoder = Encoders.create(encoderName, inDim, nbConcepts, encoderOptions, rng);
        } else if (encoderModule instanceof Encoder e) {
            this.encoderName = "custom";
            this.encoder = e;
        } else {
            throw new IllegalArgumentException("encoderModule must be null, a registered name or an Encoder");
        }
        this.dictionary = new DictionaryLayer(inDim, nbConcepts, this.dictionaryParams, rng);
    }

    /** Keeps the chosen entries of the activations (train/eval aware); caches what the backward needs. */
    protected abstract INDArray sparsify(INDArray activations);

    /** Maps dL/d(codes) to dL/d(activations) through the cached selection. */
    protected abstract INDArray sparsifyBackward(INDArray gradCodes);

    /** The per-token indices chosen by the last encode when the sparsifier keeps a fixed set, else null. */
    protected int[][] selection() {
        return null;
    }

    /** Rearranges x to tokens [N, dim]. */
    public INDArray toTokens(INDArray x) {
        if (x.rank() == 2 && x.columns() == inDim) {
            return x;
        }
        if (x.rank() == 1 && x.length() == inDim) {
            return x.reshape(1, inDim);
        }
        if (inputShape.length == 2 && x.rank() == 3 && x.size(2) == inDim) {
            return x.dup('c').reshape(x.size(0) * x.size(1), inDim);
        }
        if (inputShape.length == 3 && x.rank() == 4 && x.size(1) == inDim) {
            return x.permute(0, 2, 3, 1).dup('c').reshape(x.size(0) * x.size(2) * x.size(3), inDim);
        }
        throw new IllegalArgumentException("input of shape " + java.util.Arrays.toString(x.shape())
                + " does not match input shape " + java.util.Arrays.toString(inputShape));
    }

    public Encoded encode(INDArray x) {
        Encoded e = encoder.forward(toTokens(x));
        return new Encoded(e.preCodes(), sparsify(e.codes()));
    }

    public INDArray decode(INDArray z) {
        return decode(z, null);
    }

    /** Decodes; with the selection of the codes it gathers only the selected dictionary rows. */
    private INDArray decode(INDArray z, int[][] selected) {
        INDArray d = dictionary.getDictionary();
        lastCodes = z;
        lastDictionary = d;
        lastSelection = selected != null && SparseRows.applicable(z, d) ? selected : null;
        if (lastSelection != null) {
            return SparseRows.decode(z, lastSelection, d);
        }
        INDArray out = Nd4j.create(z.dataType(), z.rows(), d.columns());
        Nd4j.gemm(z, d, out, false, false, 1.0, 0.0);
        return out;
    }

    public Output forward(INDArray x) {
        Encoded e = encode(x);
        return new Output(e.preCodes(), e.codes(), decode(e.codes(), selection()));
    }

    public INDArray getDictionary() {
        return dictionary.getDictionary();
    }

    /**
     * Backward of the last forward: adds into every parameter's grad, given dL/dxHat, dL/dpreCodes
     * and dL/dcodes (any may be null).
     */
    public void backward(INDArray gradXHat, INDArray gradPreCodes, INDArray gradCodes) {
        if (lastSelection != null && gradXHat != null && SparseRows.applicable(gradXHat, gradCodes)) {
            SparseRows.Grads g = SparseRows.backward(lastCodes, lastSelection, lastDictionary, gradXHat, gradCodes);
            dictionary.backward(g.dictionary(), lastDictionary);
            encoder.backward(gradPreCodes, g.activations());
            return;
        }
        INDArray gz = gradCodes == null ? Nd4j.zerosLike(lastCodes) : gradCodes.dup();
        if (gradXHat != null) {
            Nd4j.gemm(gradXHat, lastDictionary, gz, false, true, 1.0, 1.0);
            INDArray gd = Nd4j.create(gradXHat.dataType(), nbConcepts, inDim);
            Nd4j.gemm(lastCodes, gradXHat, gd, true, false, 1.0, 0.0);
            dictionary.backward(gd, lastDictionary);
        }
        encoder.backward(gradPreCodes, sparsifyBackward(gz));
    }

    /** Adds the gradient w.r.t. a dictionary read by {@link #getDictionary()} (e.g. a loss argument). */
    public void backwardDictionary(INDArray gradDictionary, INDArray dictionaryRead) {
        if (gradDictionary != null) {
            dictionary.backward(gradDictionary, dictionaryRead);
        }
    }

    public SAE train() {
        return setMode(true);
    }

    public SAE eval() {
        return setMode(false);
    }

    private SAE setMode(boolean mode) {
        encoder.train(mode);
        dictionary.train(mode);
        training = mode;
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    public int inputDim() {
        return inDim;
    }

    public int nbConcepts() {
        return nbConcepts;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public String device() {
        return device;
    }

    public Encoder encoder() {
        return encoder;
    }

    public DictionaryLayer dictionaryLayer() {
        return dictionary;
    }

    /** overcomplete's tied(): the encoder becomes x D^T (+ bias) with the dictionary itself. */
    public SAE tied(boolean bias) {
        encoder = new TiedEncoder(inDim, nbConcepts, bias, dictionary, null, new Random(seed + 1));
        encoderName = bias ? "tied_bias" : "tied";
        return this;
    }

    /** overcomplete's untied(): an own encoder weight, copied from the current dictionary or fresh. */
    public SAE untied(boolean bias, boolean copyFromDictionary) {
        INDArray init = copyFromDictionary ? getDictionary().dup() : null;
        encoder = new TiedEncoder(inDim, nbConcepts, bias, null, init, new Random(seed + 1));
        encoderName = bias ? "untied_bias" : "untied";
        return this;
    }

    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(encoder.parameters());
        out.addAll(dictionary.parameters());
        return out;
    }

    public LinkedHashMap<String, INDArray> stateDict() {
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        encoder.collectState(out);
        dictionary.collectState(out);
        return out;
    }

    /** Copies values into the state tensors (strict: same keys and shapes). */
    public void loadStateDict(Map<String, INDArray> state) {
        LinkedHashMap<String, INDArray> own = stateDict();
        if (!own.keySet().equals(state.keySet())) {
            throw new IllegalArgumentException("state keys " + state.keySet() + " do not match " + own.keySet());
        }
        for (Map.Entry<String, INDArray> e : own.entrySet()) {
            INDArray src = state.get(e.getKey());
            if (src.length() != e.getValue().length()) {
                throw new IllegalArgumentException("shape mismatch for " + e.getKey());
            }
            e.getValue()
                    .assign(src.castTo(e.getValue().dataType())
                            .reshape(e.getValue().shape()));
        }
    }

    public float[] flatState() {
        LinkedHashMap<String, INDArray> s = stateDict();
        long total = s.values().stream().mapToLong(INDArray::length).sum();
        float[] out = new float[Math.toIntExact(total)];
        int pos = 0;
        for (INDArray a : s.values()) {
            float[] v = a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                    .dup('c')
                    .data()
                    .asFloat();
            System.arraycopy(v, 0, out, pos, v.length);
            pos += v.length;
        }
        return out;
    }

    public void loadFlatState(float[] flat) {
        int pos = 0;
        for (INDArray a : stateDict().values()) {
            int n = Math.toIntExact(a.length());
            if (pos + n > flat.length) {
                throw new IllegalArgumentException("flat state too short: " + flat.length);
            }
            float[] part = java.util.Arrays.copyOfRange(flat, pos, pos + n);
            a.assign(Nd4j.create(part, a.shape(), 'c').castTo(a.dataType()));
            pos += n;
        }
        if (pos != flat.length) {
            throw new IllegalArgumentException("flat state length " + flat.length + " != " + pos);
        }
    }

    protected SAEConfig baseConfig(String variant) {
        SAEConfig c = new SAEConfig();
        c.variant = variant;
        c.inputShape = inputShape.clone();
        c.nbConcepts = nbConcepts;
        c.encoder = encoderName;
        c.hiddenDim = encoderOptions.hiddenDim();
        c.residual = encoderOptions.residual();
        c.normalization = dictionaryParams.name();
        c.useMultiplier = dictionaryParams.useMultiplier;
        c.device = device;
        c.seed = seed;
        return c;
    }

    public abstract SAEConfig config();

    /**
     * Builds the model a config describes (fresh weights from its seed). Encoders "tied", "tied_bias",
     * "untied", "untied_bias" are the linear model switched with {@link #tied} / {@link #untied}.
     */
    public static SAE fromConfig(SAEConfig c) {
        DictionaryParams dp = new DictionaryParams(c.normalization, c.useMultiplier);
        Encoders.Options o = new Encoders.Options(c.hiddenDim, c.residual);
        boolean tieable = c.encoder != null && c.encoder.matches("(un)?tied(_bias)?");
        String enc = tieable ? "linear" : c.encoder;
        SAE sae =
                switch (c.variant) {
                    case "topk" -> new TopKSAE(c.inputShape, c.nbConcepts, c.topK, enc, dp, c.device, o, c.seed);
                    case "batchtopk" ->
                        new BatchTopKSAE(
                                c.inputShape, c.nbConcepts, c.topK, c.thresholdMomentum, enc, dp, c.device, o, c.seed);
                    default -> throw new IllegalArgumentException("unknown variant " + c.variant);
                };
        if (tieable) {
            boolean bias = c.encoder.endsWith("_bias");
            return c.encoder.startsWith("tied") ? sae.tied(bias) : sae.untied(bias, false);
        }
        return sae;
    }
}
