package topksae.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One golden parity case (src/test/resources/golden/*.json): config and named tensors. */
public final class Golden {
    public static final String[] CASES = {
        "a_linear_l2_k4",
        "b_linear_l2_kdefault",
        "c_mlp_bn_1",
        "d_mlp_ln_1",
        "e_mlp_bn_3",
        "f_mlp_ln_3",
        "g_linear_identity_multiplier",
        "h_linear_max_l2",
        "i_linear_l1",
        "j_linear_ties_zeros",
        "k_batchtopk_linear"
    };
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    public final String name;
    public final JsonNode config;
    private final JsonNode tensors;

    private Golden(String name, JsonNode root) {
        this.name = name;
        this.config = root.get("config");
        this.tensors = root.get("tensors");
    }

    public static Golden load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("missing golden case " + name);
            }
            return new Golden(name, JSON.readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean has(String key) {
        return tensors.has(key);
    }

    /** Names of tensors starting with prefix, with the prefix removed, in file order. */
    public List<String> names(String prefix) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = tensors.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.startsWith(prefix)) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    public long[] shape(String key) {
        JsonNode s = node(key).get("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    /** The tensor as float32 (exact bits: each value is parsed from its shortest decimal). */
    public INDArray tensor(String key) {
        JsonNode d = node(key).get("data");
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = d.get(i);
            v[i] = Float.parseFloat(x.isBigDecimal() ? x.decimalValue().toString() : x.asText());
        }
        long[] shape = shape(key);
        return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, shape, 'c');
    }

    public double scalar(String key) {
        return tensor(key).getDouble(0);
    }

    /** An int64 [rows, k] tensor as int[rows][k]. */
    public int[][] indices(String key) {
        JsonNode d = node(key).get("data");
        long[] shape = shape(key);
        int rows = (int) shape[0];
        int k = (int) shape[1];
        int[][] out = new int[rows][k];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                out[r][j] = d.get(r * k + j).asInt();
            }
        }
        return out;
    }

    public List<String> strings(String configKey) {
        List<String> out = new ArrayList<>();
        config.get(configKey).forEach(n -> out.add(n.asText()));
        return out;
    }

    private JsonNode node(String key) {
        JsonNode n = tensors.get(key);
        if (n == null) {
            throw new IllegalArgumentException(name + ": no tensor " + key);
        }
        return n;
    }

    /** Builds the model the case describes (weights still random; load "state."). */
    public SAE buildModel() {
        String enc = config.get("encoder_module").isNull()
                ? null
                : config.get("encoder_module").asText();
        Integer k = config.get("top_k_arg").isNull()
                ? null
                : config.get("top_k_arg").asInt();
        int in = config.get("input_dim").asInt();
        int n = config.get("nb_concepts").asInt();
        DictionaryParams dp = new DictionaryParams(
                config.get("normalization").asText(),
                config.get("use_multiplier").asBoolean());
        if (config.get("model_class").asText().equals("BatchTopKSAE")) {
            return new BatchTopKSAE(new int[] {in}, n, k, 0.9, enc, dp, "cpu");
        }
        return new TopKSAE(new int[] {in}, n, k, enc, dp, "cpu");
    }

    /** A fresh model loaded with the "state." tensors. */
    public SAE freshModel() {
        SAE sae = buildModel();
        java.util.Map<String, INDArray> state = new java.util.LinkedHashMap<>();
        for (String key : names("state.")) {
            state.put(key, tensor("state." + key));
        }
        sae.loadStateDict(state);
        return sae;
    }
}
