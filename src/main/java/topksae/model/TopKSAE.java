package topksae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** overcomplete's TopKSAE: codes keep the k largest activations of each token, zeros elsewhere. */
public class TopKSAE extends SAE {
    private final int topK;
    private TopKSelect.Selector selector = TopKSelect.DEFAULT;
    private int[][] lastIndices;

    public TopKSAE(
            int[] inputShape,
            int nbConcepts,
            Integer topK,
            Object encoderModule,
            DictionaryParams dictionaryParams,
            String device) {
        this(inputShape, nbConcepts, topK, encoderModule, dictionaryParams, device, null, 42L);
    }

    public TopKSAE(
            int[] inputShape,
            int nbConcepts,
            Integer topK,
            Object encoderModule,
            DictionaryParams dictionaryParams,
            String device,
            Encoders.Options options,
            long seed) {
        super(inputShape, nbConcepts, encoderModule, dictionaryParams, device, options, seed);
        if (topK != null && topK <= 0) {
            throw new IllegalArgumentException("topK must be > 0");
        }
        this.topK = topK != null ? topK : Math.max(nbConcepts / 10, 1);
    }

    public TopKSAE(int inputDim, int nbConcepts, Integer topK) {
        this(new int[] {inputDim}, nbConcepts, topK, null, null, "cpu");
    }

    public int topK() {
        return topK;
    }

    /** Replaces the per-row selection (e.g. to reproduce another library's pick among ties). */
    /** The current per-row selection. */
    public TopKSelect.Selector selector() {
        return selector;
    }

    public TopKSAE selector(TopKSelect.Selector s) {
        selector = s == null ? TopKSelect.DEFAULT : s;
        return this;
    }

    /** The indices chosen by the last encode, one array of k per token. */
    public int[][] lastIndices() {
        return lastIndices;
    }

    @Override
    protected INDArray sparsify(INDArray act) {
        int[][] idx = selector.select(act, topK);
        lastIndices = idx;
        return TopKSelect.scatterSelected(act, idx);
    }

    @Override
    protected int[][] selection() {
        return lastIndices;
    }

    @Override
    protected INDArray sparsifyBackward(INDArray g) {
        return TopKSelect.scatterSelected(g, lastIndices);
    }

    @Override
    public SAEConfig config() {
        SAEConfig c = baseConfig("topk");
        c.topK = topK;
        return c;
    }
}
