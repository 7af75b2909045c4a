package topksae.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain, serializable description of an SAE, enough to rebuild an identical model (JSON via Jackson). */
public final class SAEConfig implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String variant = "topk";
    public int[] inputShape;
    public int nbConcepts;
    public Integer topK;
    public String encoder = "linear";
    public Integer hiddenDim;
    public boolean residual;
    public String normalization = "l2";
    public boolean useMultiplier = false;
    public double thresholdMomentum = 0.9;
    public String device = "cpu";
    public long seed = 42;

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SAEConfig fromJson(String json) {
        try {
            return JSON.readValue(json, SAEConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad SAEConfig JSON: " + e.getOriginalMessage(), e);
        }
    }

    public SAE build() {
        return SAE.fromConfig(this);
    }
}
