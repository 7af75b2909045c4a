package topksae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowTopKTest {
    /** Reference: sort (value desc, index asc), keep positives, first k, sorted by index. */
    static int[] reference(float[] row, int k) {
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < row.length; j++) {
            if (row[j] > 0) {
                order.add(j);
            }
        }
        order.sort(Comparator.<Integer>comparingDouble(j -> -row[j]).thenComparingInt(j -> j));
        return order.subList(0, Math.min(k, order.size())).stream()
                .mapToInt(Integer::intValue)
                .sorted()
                .toArray();
    }

    private static int[] run(float[] row, int k) {
        int[] idx = new int[k + 3];
        float[] val = new float[k + 3];
        int c = RowTopK.select(row, row.length, k, new RowTopK.Heap(k), idx, val, 3);
        int[] out = new int[c];
        for (int s = 0; s < c; s++) {
            out[s] = idx[3 + s];
            assertEquals(row[out[s]], val[3 + s]);
        }
        return out;
    }

    @Test
    void matchesSortOnRandomRows() {
        Random rng = new Random(1);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(300);
            int k = 1 + rng.nextInt(40);
            float[] row = new float[n];
            for (int j = 0; j < n; j++) {
                row[j] = (float) rng.nextGaussian();
            }
            assertArrayEquals(reference(row, k), run(row, k), "n=" + n + " k=" + k);
        }
    }

    @Test
    void tiesAtTheBoundaryGoToLowerIndicesAndZerosAreNotPicked() {
        Random rng = new Random(2);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(100);
            int k = 1 + rng.nextInt(12);
            float[] row = new float[n];
            for (int j = 0; j < n; j++) {
                row[j] = rng.nextInt(5) - 2; // many ties, zeros and negatives
            }
            assertArrayEquals(reference(row, k), run(row, k), "n=" + n + " k=" + k);
        }
        assertArrayEquals(new int[] {1, 2}, run(new float[] {0f, 2f, 1f, 1f, 1f}, 2));
        assertArrayEquals(new int[0], run(new float[] {0f, -1f, 0f}, 2));
    }
}
