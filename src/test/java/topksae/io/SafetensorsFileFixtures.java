package topksae.io;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.SAE;

/** A model's state as plain float32 tensors, as a user's own torch save would write it. */
final class SafetensorsFileFixtures {
    private SafetensorsFileFixtures() {}

    static Map<String, Tensor> stateTensors(SAE sae) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : sae.stateDict().entrySet()) {
            t.put(e.getKey(), Tensor.f32(e.getValue().shape(), CoreWeights.floats(e.getValue())));
        }
        return t;
    }
}
