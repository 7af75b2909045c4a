package topksae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TopKSelectTest {
    @Test
    void matchesSortingOnRandomRows() {
        Random rng = new Random(1);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(300);
            int k = 1 + rng.nextInt(n);
            float[] row = new float[n];
            for (int j = 0; j < n; j++) {
                row[j] = rng.nextInt(4) == 0 ? rng.nextInt(3) : (float) rng.nextGaussian(); // many ties
            }
            int[] idx = TopKSelect.rowTopK(row, n, k, new float[n]);
            float[] sorted = row.clone();
            Arrays.sort(sorted);
            float[] expectTop = Arrays.copyOfRange(sorted, n - k, n);
            float[] got = new float[k];
            for (int i = 0; i < k; i++) {
                got[i] = row[idx[i]];
            }
            Arrays.sort(got);
            assertArrayEquals(expectTop, got, "trial " + trial);
            assertEquals(k, Arrays.stream(idx).distinct().count());
        }
    }

    @Test
    void tiesAtTheBoundaryGoToLowestIndices() {
        float[] row = {0, 1, 3, 1, 1, 2};
        int[] idx = TopKSelect.rowTopK(row, 6, 4, new float[6]);
        Arrays.sort(idx);
        assertArrayEquals(new int[] {1, 2, 3, 5}, idx);
    }

    @Test
    void matrixSelectionPerRow() {
        INDArray m = Nd4j.create(new float[][] {{5, 1, 4, 2}, {0, 0, 0, 0}, {-1, -3, -2, 7}});
        int[][] idx = TopKSelect.topK(m, 2);
        for (int[] r : idx) {
            Arrays.sort(r);
        }
        assertArrayEquals(new int[] {0, 2}, idx[0]);
        assertArrayEquals(new int[] {0, 1}, idx[1]);
        assertArrayEquals(new int[] {0, 3}, idx[2]);
    }

    /** Golden case j: our own pick holds the same values as torch's in every row (ties compared by value). */
    @Test
    void goldenTiesCaseSameValuesAsTorch() {
        Golden g = Golden.load("j_linear_ties_zeros");
        INDArray act = org.nd4j.linalg.ops.transforms.Transforms.relu(g.tensor("train.pre_codes"), true);
        int[][] torch = g.indices("train.topk_indices");
        int[][] ours = TopKSelect.topK(act, torch[0].length);
        for (int r = 0; r < torch.length; r++) {
            double[] a = new double[torch[r].length];
            double[] b = new double[torch[r].length];
            for (int i = 0; i < a.length; i++) {
                a[i] = act.getDouble(r, torch[r][i]);
                b[i] = act.getDouble(r, ours[r][i]);
            }
            Arrays.sort(a);
            Arrays.sort(b);
            assertArrayEquals(a, b, 1e-6, "row " + r);
        }
        assertEquals(
                1, Arrays.stream(ours[2]).filter(j -> j == 56).count(), "row 2 keeps 56 of the 56/57 tie, like torch");
        assertEquals(0, Arrays.stream(ours[2]).filter(j -> j == 57).count());
    }

    @Test
    void kthLargest() {
        float[] a = {3, 9, 1, 9, 4};
        assertEquals(9f, TopKSelect.kthLargest(a.clone(), 5, 2));
        assertEquals(4f, TopKSelect.kthLargest(a.clone(), 5, 3));
        assertEquals(1f, TopKSelect.kthLargest(a.clone(), 5, 5));
    }
}
