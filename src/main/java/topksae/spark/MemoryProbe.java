package topksae.spark;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this JVM, for benchmarks: the largest heap in use right after a garbage
 * collection (from the collectors' notifications: live data plus what that collection left), and
 * the largest JavaCPP off-heap total and process resident size, sampled every 20 ms.
 */
public final class MemoryProbe {
    private static volatile long peakHeap;
    private static volatile long peakOffHeap;
    private static volatile long peakResident;
    private static boolean installed;

    private MemoryProbe() {}

    /** Starts watching (once per JVM). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc)
                    .addNotificationListener(
                            (n, h) -> {
                                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                                        n.getType())) {
                                    afterGc(
                                            GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()),
                                            heapPools);
                                }
                            },
                            null,
                            null);
        }
        Thread t = new Thread(MemoryProbe::sample, "topksae-memory-probe");
        t.setDaemon(true);
        t.start();
    }

    private static void afterGc(GarbageCollectionNotificationInfo info, Set<String> heapPools) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e :
                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        synchronized (MemoryProbe.class) {
            peakHeap = Math.max(peakHeap, used);
        }
    }

    private static void sample() {
        while (true) {
            long off = Pointer.totalBytes();
            long rss = Pointer.physicalBytes();
            synchronized (MemoryProbe.class) {
                peakOffHeap = Math.max(peakOffHeap, off);
                peakResident = Math.max(peakResident, rss);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Forgets the peaks so far. */
    public static synchronized void reset() {
        peakHeap = 0;
        peakOffHeap = 0;
        peakResident = 0;
    }

    /** {peak heap after GC, peak JavaCPP off-heap, peak resident size}, bytes. */
    public static synchronized long[] peaks() {
        return new long[] {peakHeap, peakOffHeap, peakResident};
    }
}
