package topksae.kernel;

/** Per-thread scratch arrays by slot, grown on demand and reused (no per-step garbage). */
public final class Scratch {
    private static final int SLOTS = 8;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private Scratch() { }

    /** A float array of at least len elements for this thread and slot (contents undefined). */
    public static float[] floats(int slot, int len) {
        float[][] s = FLOATS.get();
        if (s[slot] == null || s[slot].length < len) {
            s[slot] = new float[len];
        }
        return s[slot];
    }
}
