package topksae.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
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
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * Saving and loading {@link TopKSAEModel}. Layout under the model path:
 * <ul>
 * <li>{@code metadata/}: Spark's params metadata (class, uid, params), as for Spark's own models;</li>
 * <li>{@code data/model.safetensors}: the core model's state dict, one tensor per name (torch
 * names and shapes, e.g. "dictionary._weights" [nbConcepts, dim]; float32, int64 for integer
 * buffers), "pre_bias" [dim] when present, "running_threshold" [] for BatchTopK (-1 = unset); metadata "format" = "topksae-model-1" and "config" =
 * the core SAEConfig as JSON. See {@link TensorFile} for the byte layout.</li>
 * </ul>
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
      saveMetadata(model, path, sparkSession());
      Map<String, TensorFile.Tensor> tensors = new LinkedHashMap<>();
      SAE sae = SAE.fromConfig(model.config());
      ModelState.load(sae, model.flatState());
      for (Map.Entry<String, INDArray> e : sae.stateDict().entrySet()) {
        tensors.put(e.getKey(), tensor(e.getValue()));
      }
      if (ModelState.extra(sae) > 0) {
        float[] s = model.flatState();
        tensors.put(RUNNING_THRESHOLD, TensorFile.Tensor.of(new float[] {s[s.length - 1]}));
      }
      float[] bias = model.preBias();
      if (bias != null) {
        tensors.put(PRE_BIAS, TensorFile.Tensor.of(bias, bias.length));
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("format", FORMAT);
      meta.put("config", model.config().toJson());
      try {
        TensorFile.write(path + "/" + DATA_FILE, hadoopConf(sparkSession()), tensors, meta);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the model data under " + path, e);
      }
    }
  }

  static final class Reader extends MLReader<TopKSAEModel> {
    @Override
    public TopKSAEModel load(String path) {
      String className = TopKSAEModel.class.getName();
      TensorFile.Contents c;
      try {
        c = TensorFile.read(path + "/" + DATA_FILE, hadoopConf(sparkSession()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the model data " + path + "/" + DATA_FILE, e);
      }
      if (!FORMAT.equals(c.metadata().get("format"))) {
        throw new IllegalArgumentException(path + "/" + DATA_FILE + " has format " + c.metadata().get("format")
            + ", expected " + FORMAT);
      }
      SAEConfig config = SAEConfig.fromJson(c.metadata().get("config"));
      SAE sae = SAE.fromConfig(config);
      Map<String, INDArray> state = new LinkedHashMap<>();
      float[] bias = null;
      float[] threshold = null;
      for (Map.Entry<String, TensorFile.Tensor> e : c.tensors().entrySet()) {
        if (e.getKey().equals(PRE_BIAS)) {
          bias = e.getValue().f32();
        } else if (e.getKey().equals(RUNNING_THRESHOLD)) {
          threshold = e.getValue().f32();
        } else {
          state.put(e.getKey(), array(e.getValue()));
        }
      }
      sae.loadStateDict(state);
      float[] flat = ModelState.of(sae);
      if (threshold != null) {
        flat[flat.length - 1] = threshold[0];
      }
      TopKSAEModel model = new TopKSAEModel(uid(path, sparkSession(), className), config, flat, bias);
      loadParams(model, path, sparkSession(), className);
      return model;
    }
  }

  private static Configuration hadoopConf(SparkSession spark) {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static TensorFile.Tensor tensor(INDArray a) {
    INDArray c = a.dup('c');
    if (a.dataType().isIntType()) {
      return new TensorFile.Tensor(a.shape(), null, c.castTo(DataType.LONG).data().asLong());
    }
    return new TensorFile.Tensor(a.shape(), c.castTo(DataType.FLOAT).data().asFloat(), null);
  }

  private static INDArray array(TensorFile.Tensor t) {
    return t.f32() != null ? Nd4j.create(t.f32(), t.shape(), 'c') : Nd4j.createFromArray(t.i64()).reshape(t.shape());
  }
}
