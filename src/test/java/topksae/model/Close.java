package topksae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Elementwise |a - e| <= abs + rel |e| checks that also record the largest deviation per group. */
public final class Close {
    /** group -> largest |actual - expected| seen. */
    public static final Map<String, Double> MAX_DEV = new TreeMap<>();

    private Close() {}

    public static void check(String group, String what, INDArray expected, INDArray actual, double abs, double rel) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(a[i] - e[i]);
            worst = Math.max(worst, d);
            if (!(d <= abs + rel * Math.abs(e[i]))) {
                fail(what + "[" + i + "]: expected " + e[i] + " got " + a[i] + " (|diff| " + d + ")");
            }
        }
        record(group, worst);
    }

    public static void check(String group, String what, double expected, double actual, double abs, double rel) {
        double d = Math.abs(actual - expected);
        if (!(d <= abs + rel * Math.abs(expected))) {
            fail(what + ": expected " + expected + " got " + actual);
        }
        record(group, d);
    }

    public static synchronized void record(String group, double dev) {
        MAX_DEV.merge(group, dev, Math::max);
    }
}
