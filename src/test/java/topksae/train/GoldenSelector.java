package topksae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.TopKSelect;

/**
 * Adopts torch's recorded pick after checking, tie-aware, that it is a valid top-k of our values:
 * every picked value is >= our k-th largest (within float tolerance) and the picks are distinct.
 * torch.topk's choice among equal values is implementation-defined, so this keeps the downstream
 * comparisons (codes, xHat, gradients, step) exact while still testing the selection itself.
 */
final class GoldenSelector implements TopKSelect.Selector {
    private final int[][] golden;
    int rowsDifferingFromDefault;

    GoldenSelector(int[][] golden) {
        this.golden = golden;
    }

    @Override
    public int[][] select(INDArray values, int k) {
        assertEquals(golden.length, values.rows(), "rows");
        int[][] ours = TopKSelect.topK(values, k);
        for (int r = 0; r < golden.length; r++) {
            double kth = Double.MAX_VALUE;
            for (int j : ours[r]) {
                kth = Math.min(kth, values.getDouble(r, j));
            }
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int j : golden[r]) {
                assertTrue(seen.add(j), "duplicate pick " + j + " in row " + r);
                double v = values.getDouble(r, j);
                assertTrue(
                        v >= kth - (1e-5 + 1e-4 * Math.abs(kth)),
                        "row " + r + ": torch picked " + j + " (" + v + ") below our k-th value " + kth);
            }
            java.util.Set<Integer> mine = new java.util.HashSet<>();
            for (int j : ours[r]) {
                mine.add(j);
            }
            if (!mine.equals(seen)) {
                rowsDifferingFromDefault++;
            }
        }
        return golden;
    }
}
