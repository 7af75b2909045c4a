package topksae.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.train.TrainConfig;
import topksae.train.Trainer;

/** The gather/scatter decoder gives the dense GEMM path's outputs and gradients. */
class SparseRowsTest {
    @Test
    void sparseAndDenseDecoderAgree() {
        for (String loss : new String[] {"mse", "overcomplete"}) {
            List<INDArray> sparse = run(true, loss);
            List<INDArray> dense = run(false, loss);
            for (int i = 0; i < dense.size(); i++) {
                assertTrue(dense.get(i).equalsWithEps(sparse.get(i), 1e-5), loss + " tensor " + i);
            }
        }
    }

    private static List<INDArray> run(boolean sparse, String loss) {
        SparseRows.enabled = sparse;
        try {
            TopKSAE sae = new TopKSAE(
                    new int[] {10}, 50, 4, "mlp_ln_1", DictionaryParams.of("l2").multiplier(true), "cpu", null, 9);
            TrainConfig cfg = new TrainConfig();
            if (!loss.equals("mse")) {
                cfg.auxKPenalty = 0.1;
            }
            Trainer tr = new Trainer(sae, cfg);
            Nd4j.getRandom().setSeed(4);
            Trainer.Pass p = tr.forwardBackward(Nd4j.randn(13, 10));
            List<INDArray> out = new ArrayList<>();
            out.add(p.output().xHat());
            tr.parameters().forEach(q -> out.add(q.grad().dup()));
            return out;
        } finally {
            SparseRows.enabled = true;
        }
    }
}
