package topksae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * overcomplete's BatchTopKSAE: in training keeps every activation >= the k-th largest of the whole
 * batch (ties kept) and tracks a running threshold (first value, then m r + (1 - m) t); eval uses it.
 */
public class BatchTopKSAE extends SAE {
    private final int topK;
    private final double thresholdMomentum;
    private Double runningThreshold;
    private double lastBatchThreshold = Double.NaN;
    private INDArray lastMask;

    public BatchTopKSAE(
            int[] inputShape,
            int nbConcepts,
            Integer topK,
            double thresholdMomentum,
            Object encoderModule,
            DictionaryParams dictionaryParams,
            String device) {
        this(inputShape, nbConcepts, topK, thresholdMomentum, encoderModule, dictionaryParams, device, null, 42L);
    }

    public BatchTopKSAE(
            int[] inputShape,
            int nbConcepts,
            Integer topK,
            double thresholdMomentum,
            Object encoderModule,
            DictionaryParams dictionaryParams,
            String device,
            Encoders.Options options,
            long seed) {
        super(inputShape, nbConcepts, encoderModule, dictionaryParams, device, options, seed);
        this.topK = topK != null ? topK : Math.max(nbConcepts / 10, 1);
        this.thresholdMomentum = thresholdMomentum;
    }

    public BatchTopKSAE(int inputDim, int nbConcepts, Integer topK) {
        this(new int[] {inputDim}, nbConcepts, topK, 0.9, null, null, "cpu");
    }

    public int topK() {
        return topK;
    }

    public double thresholdMomentum() {
        return thresholdMomentum;
    }

    /** The running threshold, or null before the first training forward. */
    public Double runningThreshold() {
        return runningThreshold;
    }

    public void setRunningThreshold(Double t) {
        runningThreshold = t;
    }

    /** The batch threshold of the last training forward. */
    public double lastBatchThreshold() {
        return lastBatchThreshold;
    }

    @Override
    protected INDArray sparsify(INDArray act) {
        double threshold;
        if (isTraining()) {
            float[] flat = act.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                    .dup('c')
                    .data()
                    .asFloat();
            float t32 = TopKSelect.kthLargest(flat, flat.length, topK);
            threshold = act.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT ? t32 : kthExact(act, t32);
            lastBatchThreshold = threshold;
            if (runningThreshold == null) {
                runningThreshold = threshold;
            } else {
                float r = (float) (thresholdMomentum * runningThreshold + (1 - thresholdMomentum) * threshold);
                runningThreshold = act.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT
                        ? (double) r
                        : thresholdMomentum * runningThreshold + (1 - thresholdMomentum) * threshold;
            }
        } else {
            if (runningThreshold == null) {
                throw new IllegalStateException("Running threshold is not initialized.");
            }
            threshold = runningThreshold;
        }
        lastMask = act.gte(threshold).castTo(act.dataType());
        return act.mul(lastMask);
    }

    /** For double activations: the exact k-th largest value (the float pass only approximates it). */
    private double kthExact(INDArray act, float approx) {
        double[] flat = act.dup('c').data().asDouble();
        int above = 0;
        double best = Double.NEGATIVE_INFINITY;
        // the answer lies within float rounding of approx: count above the band, then select in it
        double lo = approx - Math.ulp(approx);
        double hi = approx + Math.ulp(approx);
        java.util.List<Double> band = new java.util.ArrayList<>();
        for (double v : flat) {
            if (v > hi) {
                above++;
            } else if (v >= lo) {
                band.add(v);
            }
        }
        band.sort(java.util.Collections.reverseOrder());
        int rank = topK - above - 1;
        return rank >= 0 && rank < band.size() ? band.get(rank) : best;
    }

    @Override
    protected INDArray sparsifyBackward(INDArray g) {
        return g.mul(lastMask);
    }

    @Override
    public SAEConfig config() {
        SAEConfig c = baseConfig("batchtopk");
        c.topK = topK;
        c.thresholdMomentum = thresholdMomentum;
        return c;
    }
}
