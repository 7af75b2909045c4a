package topksae.spark;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Executor-side objects that live across the rounds of one fit (a worker's model, trainer and
 * buffers, kept so that a worker can keep its own optimizer state) or across the batches of one
 * transform. Keyed by a run id and a worker index; entries of other runs idle for more than
 * {@link #IDLE_MS} are dropped. A missing entry (a new executor, a moved task) is rebuilt.
 */
final class WorkerCache {
    static final long IDLE_MS = 10 * 60 * 1000L;
    private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

    private record Entry(Object value, long lastUse) {}

    private WorkerCache() {}

    /** The value for (run, worker), created by make if absent. */
    @SuppressWarnings("unchecked")
    static <T> T get(String run, int worker, Supplier<T> make) {
        String key = run + "/" + worker;
        long now = System.currentTimeMillis();
        evictIdle(run, now);
        Entry e = ENTRIES.get(key);
        T value = e == null ? make.get() : (T) e.value();
        ENTRIES.put(key, new Entry(value, now));
        return value;
    }

    /** Drops one entry. */
    static void remove(String run, int worker) {
        ENTRIES.remove(run + "/" + worker);
    }

    /** Drops every entry of a run (called on the driver when a fit ends; executors evict by idleness). */
    static void release(String run) {
        ENTRIES.keySet().removeIf(k -> k.startsWith(run + "/"));
    }

    private static void evictIdle(String run, long now) {
        for (Iterator<Map.Entry<String, Entry>> it = ENTRIES.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (!e.getKey().startsWith(run + "/") && now - e.getValue().lastUse() > IDLE_MS) {
                it.remove();
            }
        }
    }
}
