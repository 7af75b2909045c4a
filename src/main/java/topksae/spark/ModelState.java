package topksae.spark;

import topksae.model.BatchTopKSAE;
import topksae.model.SAE;

/**
 * The state shipped, averaged and saved for a model: the core flat state (stateDict order), plus,
 * for BatchTopK, its running threshold as one trailing value (-1 while not yet initialized), which
 * the core keeps outside the state dict.
 */
final class ModelState {
    static final float UNSET = -1f;

    private ModelState() {}

    static float[] of(SAE sae) {
        float[] flat = sae.flatState();
        if (!(sae instanceof BatchTopKSAE b)) {
            return flat;
        }
        float[] out = java.util.Arrays.copyOf(flat, flat.length + 1);
        out[flat.length] =
                b.runningThreshold() == null ? UNSET : b.runningThreshold().floatValue();
        return out;
    }

    static void load(SAE sae, float[] state) {
        if (!(sae instanceof BatchTopKSAE b)) {
            sae.loadFlatState(state);
            return;
        }
        sae.loadFlatState(java.util.Arrays.copyOf(state, state.length - 1));
        float t = state[state.length - 1];
        b.setRunningThreshold(t < 0 ? null : (double) t);
    }

    /** Values after the core flat state (0, or 1 for BatchTopK). */
    static int extra(SAE sae) {
        return sae instanceof BatchTopKSAE ? 1 : 0;
    }
}
