package topksae.kernel;

/** Per-thread scratch arrays by slot, grown on demand and reused (no per-step garbage). */
public final class Scratch {
    private static final int SLOTS = 8;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private static final ThreadLocal<int[][]> INTS = ThreadLocal.withInitial(() -> new int[2][]);

    private Scratch() {}

    /** An int array of at least len elements for this thread (slot 0). */
    public static int[] ints(int len) {
        return ints(0, len);
    }

    /** An int array of at least len elements for this thread (slot 1). */
    public static int[] ints2(int len) {
        return ints(1, len);
    }

    private static int[] ints(int slot, int len) {
        int[][] s = INTS.get();
        if (s[slot] == null || s[slot].length < len) {
            s[slot] = new int[len];
        }
        return s[slot];
    }

    /** A float array of at least len elements for this thread and slot (contents undefined). */
    public static float[] floats(int slot, int len) {
        float[][] s = FLOATS.get();
        if (s[slot] == null || s[slot].length < len) {
            s[slot] = new float[len];
        }
        return s[slot];
    }
}
