package topksae.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Option;
import topksae.io.DType;
import topksae.io.HadoopSafetensors;
import topksae.io.MalformedSafetensorsException;
import topksae.io.SafetensorsFile;
import topksae.io.Tensor;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * Saving and loading {@link TopKSAEModel}. Layout under the model path:
 * <ul>
 * <li>{@code metadata/}: Spark's params metadata (class, uid, params), as for Spark's own models;</li>
 * <li>{@code data/model.safetensors}: the core model's state dict, one tensor per name (torch
 * names and shapes, e.g. "dictionary._weights" [nbConcepts, dim]; float32, int64 for integer
 * buffers), "pre_bias" [dim] when present, "running_threshold" [] for BatchTopK (-1 = unset);
 * metadata "format" = "topksae-model-1" and "config" = the core SAEConfig as JSON. Written and
 * read by the strict codec of {@code topksae.io} on any Hadoop file system.</li>
 * </ul>
 * Loading refuses a file whose config, tensors and params disagree, naming the file and tensor.
 * The writer option {@code format} and the reader's other layouts are {@link ModelOutputs}'.
 * The only place that uses Spark's DefaultParamsWriter/Reader metadata helpers.
 */
final class ModelPersistence {
    static final String FORMAT = "topksae-model-1";
    static final String DATA_FILE = "data/model.safetensors";
    static final String PRE_BIAS = "pre_bias";
    static final String RUNNING_THRESHOLD = "running_threshold";

    private ModelPersistence() {}

    static void saveMetadata(Params instance, String path, SparkSession spark) {
        DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, spark);
    }

    static void loadParams(Params instance, String path, SparkSession spark, String className) {
        DefaultParamsReader.Metadata m = DefaultParamsReader$.MODULE$.loadMetadata(path, spark, className);
        m.getAndSetParams(instance, Option.empty());
    }

    static String uid(String path, SparkSession spark, String className) {
        return DefaultParamsReader$.MODULE$.loadMetadata(path, spark, className).uid();
    }

    static final class Writer extends MLWriter {
        private final TopKSAEModel model;

        Writer(TopKSAEModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            Map<String, String> options = scala.jdk.javaapi.CollectionConverters.asJava(optionMap());
            if (ModelOutputs.isExport(options)) {
                ModelOutputs.write(model, options, path, hadoopConf(sparkSession()));
                return;
            }
            saveMetadata(model, path, sparkSession());
            try {
                HadoopSafetensors.write(path + "/" + DATA_FILE, hadoopConf(sparkSession()), contents(model));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the model data under " + path, e);
            }
        }
    }

    static SafetensorsFile contents(TopKSAEModel model) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        SAE sae = SAE.fromConfig(model.config());
        ModelState.load(sae, model.flatState());
        for (Map.Entry<String, INDArray> e : sae.stateDict().entrySet()) {
            tensors.put(e.getKey(), tensor(e.getValue()));
        }
        if (ModelState.extra(sae) > 0) {
            float[] s = model.flatState();
            tensors.put(RUNNING_THRESHOLD, Tensor.f32(new long[0], new float[] {s[s.length - 1]}));
        }
        float[] bias = model.preBias();
        if (bias != null) {
            tensors.put(PRE_BIAS, Tensor.f32(new long[] {bias.length}, bias));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("config", model.config().toJson());
        return new SafetensorsFile(tensors, meta);
    }

    static final class Reader extends MLReader<TopKSAEModel> {
        @Override
        public TopKSAEModel load(String path) {
            TopKSAEModel foreign = ModelOutputs.importIfForeign(path, hadoopConf(sparkSession()));
            if (foreign != null) {
                return foreign;
            }
            String className = TopKSAEModel.class.getName();
            String file = path + "/" + DATA_FILE;
            TopKSAEModel model;
            try {
                model = fromFile(
                        HadoopSafetensors.read(file, hadoopConf(sparkSession())), uid(path, sparkSession(), className));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the model data: " + e.getMessage(), e);
            }
            loadParams(model, path, sparkSession(), className);
            List<String> contradictions = paramContradictions(model);
            if (!contradictions.isEmpty()) {
                throw new IllegalArgumentException(path + "/metadata contradicts " + file + ": " + contradictions);
            }
            return model;
        }
    }

    /** The model a file describes; its config, tensor names, shapes and dtypes must agree. */
    static TopKSAEModel fromFile(SafetensorsFile c, String uid) throws MalformedSafetensorsException {
        String where = c.source();
        if (!FORMAT.equals(c.metadata().get("format"))) {
            throw new MalformedSafetensorsException(
                    where + " has format " + c.metadata().get("format") + ", expected " + FORMAT);
        }
        SAEConfig config = ModelShape.config(c);
        long floats = c.tensors().values().stream().mapToLong(Tensor::numel).sum();
        SAE sae = ModelShape.build(config, floats, where);
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : sae.stateDict().entrySet()) {
            Tensor t = c.require(e.getKey());
            requireShape(where, e.getKey(), t, e.getValue().shape());
            state.put(e.getKey(), array(t));
        }
        float[] bias = optional(c, PRE_BIAS, new long[] {sae.inputDim()});
        float[] threshold = optional(c, RUNNING_THRESHOLD, new long[0]);
        List<String> unknown = new ArrayList<>(c.tensors().keySet());
        unknown.removeAll(state.keySet());
        unknown.removeAll(List.of(PRE_BIAS, RUNNING_THRESHOLD));
        if (!unknown.isEmpty()) {
            throw new MalformedSafetensorsException(where + ": tensors " + unknown + " are not part of the "
                    + config.variant + " model its config describes");
        }
        sae.loadStateDict(state);
        float[] flat = ModelState.of(sae);
        if (threshold != null && ModelState.extra(sae) > 0) {
            flat[flat.length - 1] = threshold[0];
        }
        return new TopKSAEModel(uid, config, flat, bias);
    }

    /** Spark params that say something else than the core config (e.g. nbConcepts 128 over [64, d] tensors). */
    static List<String> paramContradictions(TopKSAEModel m) {
        SAEConfig c = m.config();
        List<String> out = new ArrayList<>();
        check(out, "nbConcepts", c.nbConcepts, m.getNbConcepts());
        if (c.topK != null) {
            check(out, "topK", c.topK, m.getTopK());
        }
        check(out, "variant", c.variant, m.getVariant());
        check(out, "encoderModule", c.encoder, m.getEncoderModule());
        check(out, "normalization", c.normalization, m.getNormalization());
        check(out, "useMultiplier", c.useMultiplier, m.getUseMultiplier());
        return out;
    }

    private static void check(List<String> out, String name, Object tensors, Object param) {
        if (!java.util.Objects.equals(tensors, param)) {
            out.add(name + " = " + param + " in the params but " + tensors + " in the model data");
        }
    }

    private static float[] optional(SafetensorsFile c, String name, long[] shape) throws MalformedSafetensorsException {
        Tensor t = c.tensors().get(name);
        if (t == null) {
            return null;
        }
        requireShape(c.source(), name, t, shape);
        return t.toFloats();
    }

    private static void requireShape(String where, String name, Tensor t, long[] shape)
            throws MalformedSafetensorsException {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new MalformedSafetensorsException(where + ": tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", the config needs " + Arrays.toString(shape));
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.I64) {
            throw new MalformedSafetensorsException(where + ": tensor '" + name + "' has dtype " + t.dtype()
                    + ", expected F32 (I64 for integer buffers)");
        }
    }

    private static Configuration hadoopConf(SparkSession spark) {
        return spark.sparkContext().hadoopConfiguration();
    }

    private static Tensor tensor(INDArray a) {
        INDArray c = a.dup('c');
        if (a.dataType().isIntType()) {
            return Tensor.i64(a.shape(), c.castTo(DataType.LONG).data().asLong());
        }
        return Tensor.f32(a.shape(), c.castTo(DataType.FLOAT).data().asFloat());
    }

    private static INDArray array(Tensor t) {
        return t.dtype() == DType.F32
                ? Nd4j.create(t.toFloats(), t.shape(), 'c')
                : Nd4j.createFromArray(t.toLongs()).reshape(t.shape());
    }
}
