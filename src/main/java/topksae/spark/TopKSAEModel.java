package topksae.spark;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * A trained TopK SAE as a Spark ML Transformer: adds the codes (a SparseVector of size
 * nbConcepts with at most topK non-zeros) and optionally the reconstruction and the pre-codes.
 * The weights are the core model's flat state (see {@link SAE#flatState()}) plus, with
 * decoderBiasInit=mean, a fixed input offset subtracted before encoding and added after decoding.
 */
public class TopKSAEModel extends Model<TopKSAEModel> implements TopKSAEParams, MLWritable {
    private final String uid;
    private final TopKSAEParamDefs defs;
    private final SAEConfig config;
    private final float[] state;
    private final float[] preBias;
    private transient SAE sae;
    private TopKSAETrainingSummary summary;

    /** A model from a core config, its flat state and an optional input offset (null = none). */
    public TopKSAEModel(String uid, SAEConfig config, float[] state, float[] preBias) {
        this.uid = uid;
        this.defs = new TopKSAEParamDefs(this);
        this.config = config;
        this.state = state;
        this.preBias = preBias;
        setShapeParams(this, config);
    }

    /** The params that describe the model's shape, from its core config (so imports report them too). */
    static void setShapeParams(TopKSAEParams m, SAEConfig config) {
        m.set(m.nbConcepts(), config.nbConcepts);
        if (config.topK != null) {
            m.set(m.topK(), config.topK);
        }
        if (config.variant != null) {
            m.set(m.variant(), config.variant);
        }
        if (config.encoder != null) {
            m.set(m.encoderModule(), config.encoder);
        }
        if (config.normalization != null) {
            m.set(m.normalization(), config.normalization);
        }
        m.set(m.useMultiplier(), config.useMultiplier);
    }

    /**
     * An empty model (one concept of dimension 1, no weights) for ServiceLoader, which needs a
     * public no-argument constructor for the META-INF/services entry registering this class with
     * Spark Connect ML; Spark 4's model loader scans those entries on every load. Not for transform.
     */
    public TopKSAEModel() {
        this(Identifiable.randomUID("topksae"), emptyConfig(), new float[0], null);
    }

    private static SAEConfig emptyConfig() {
        SAEConfig c = new SAEConfig();
        c.nbConcepts = 1;
        c.inputShape = new int[] {1};
        return c;
    }

    /** A model holding a copy of a core model's weights. */
    public TopKSAEModel(SAE sae) {
        this(Identifiable.randomUID("topksae"), sae.config(), ModelState.of(sae), null);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public TopKSAEParamDefs paramDefs() {
        return defs;
    }

    /** The core model (eval mode), built once on the driver; it is this model's own instance. */
    public synchronized SAE sae() {
        if (sae == null) {
            sae = SAE.fromConfig(config);
            ModelState.load(sae, state);
            sae.eval();
        }
        return sae;
    }

    /** The core model's config. */
    public SAEConfig config() {
        return config;
    }

    /** The flat state (do not modify): the core flatState(), plus BatchTopK's running threshold last. */
    public float[] flatState() {
        return state;
    }

    /** The fixed input offset, or null when decoderBiasInit was none. */
    public float[] preBias() {
        return preBias == null ? null : preBias.clone();
    }

    /** The normalized dictionary as [nbConcepts][dim]. */
    public float[][] dictionary() {
        INDArray d = sae().getDictionary();
        float[][] out = new float[(int) d.rows()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.getRow(i).dup().data().asFloat();
        }
        return out;
    }

    public int inputDim() {
        return config.inputShape[config.inputShape.length == 3 ? 0 : config.inputShape.length - 1];
    }

    public boolean hasSummary() {
        return summary != null;
    }

    /** The training summary of the fit that made this model (not persisted). */
    public TopKSAETrainingSummary summary() {
        if (summary == null) {
            throw new IllegalStateException("no training summary: this model was loaded or built, not fitted");
        }
        return summary;
    }

    void setSummary(TopKSAETrainingSummary s) {
        summary = s;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        return ModelTransform.apply(this, dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        validateTopK();
        return SchemaCheck.transformSchema(this, schema);
    }

    @Override
    public TopKSAEModel copy(ParamMap extra) {
        TopKSAEModel m = copyValues(new TopKSAEModel(uid, config, state, preBias), extra);
        m.summary = summary;
        return m.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new ModelPersistence.Writer(this);
    }

    public static MLReader<TopKSAEModel> read() {
        return new ModelPersistence.Reader();
    }

    public static TopKSAEModel load(String path) {
        return read().load(path);
    }

    public TopKSAEModel setInputCol(String v) {
        set(inputCol(), v);
        return this;
    }

    public TopKSAEModel setOutputCol(String v) {
        set(outputCol(), v);
        return this;
    }

    public TopKSAEModel setReconstructionCol(String v) {
        set(reconstructionCol(), v);
        return this;
    }

    public TopKSAEModel setPreCodesCol(String v) {
        set(preCodesCol(), v);
        return this;
    }
    /** Rows per ND4J call in transform. */
    public TopKSAEModel setBatchSize(int v) {
        set(batchSize(), v);
        return this;
    }

    public TopKSAEModel setHandleInvalid(String v) {
        set(handleInvalid(), v);
        return this;
    }
}
