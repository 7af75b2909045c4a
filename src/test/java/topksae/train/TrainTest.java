package topksae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.Parameter;
import topksae.model.TopKSAE;

class TrainTest {
    @Test
    void adamFollowsTorchFormulaOverSteps() {
        Parameter p = new Parameter("p", Nd4j.create(new float[] {1f, -2f, 0.5f}));
        Adam adam = new Adam(0.1, 0.9, 0.999, 1e-8);
        double[] v = {1, -2, 0.5};
        double[] m = new double[3];
        double[] s = new double[3];
        double[][] grads = {{0.5, -1, 0}, {0.2, 0.3, -4}, {-1, 2, 1e-3}};
        for (int t = 1; t <= 3; t++) {
            p.grad().assign(Nd4j.create(grads[t - 1]).castTo(p.value().dataType()));
            adam.step(List.of(p));
            for (int i = 0; i < 3; i++) {
                double g = grads[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                s[i] = 0.999 * s[i] + 0.001 * g * g;
                double denom = Math.sqrt(s[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                v[i] -= 0.1 / (1 - Math.pow(0.9, t)) * m[i] / denom;
                assertEquals(v[i], p.value().getDouble(i), 1e-6, "step " + t + " entry " + i);
            }
        }
        assertEquals(3, adam.stepCount());
        assertEquals(m[1], adam.expAvg(0).getDouble(1), 1e-7);
        Adam copy = new Adam(0.1, 0.9, 0.999, 1e-8);
        copy.init(List.of(p));
        copy.loadFlatState(adam.flatState());
        assertArrayEquals(adam.flatState(), copy.flatState());
        assertEquals(3, copy.stepCount());
    }

    @Test
    void clipScalesOnlyAboveTheMaximum() {
        Parameter a = new Parameter("a", Nd4j.zeros(2));
        Parameter b = new Parameter("b", Nd4j.zeros(1));
        a.grad().assign(Nd4j.create(new float[] {3, 0}));
        b.grad().assign(4);
        double total = GradClip.clip(List.of(a, b), 1.0);
        assertEquals(5.0, total, 1e-6);
        assertEquals(3 / (5 + 1e-6), a.grad().getDouble(0), 1e-6);
        assertEquals(4 / (5 + 1e-6), b.grad().getDouble(0), 1e-6);
        GradClip.clip(List.of(a, b), 10.0);
        assertEquals(4 / (5 + 1e-6), b.grad().getDouble(0), 1e-7);
    }

    @Test
    void stepStatsMergeAndMetrics() {
        INDArray x = Nd4j.create(new float[][] {{1, 2}, {3, 4}});
        INDArray xHat = Nd4j.create(new float[][] {{1, 1}, {3, 5}});
        INDArray codes = Nd4j.create(new float[][] {{0.5f, 0, 0}, {0, 2, 1e-8f}});
        StepStats s = StepStats.of(0.5, x, xHat, codes);
        assertEquals(2, s.tokens);
        assertEquals(2.0, s.sse, 1e-9);
        assertEquals(1.0, s.l0(), 1e-9);
        assertArrayEquals(new long[] {1, 1, 1}, s.fireCounts);
        StepStats t = StepStats.of(1.5, x, x, Nd4j.zeros(2, 3));
        s.merge(t);
        assertEquals(4, s.tokens);
        assertEquals(1.0, s.loss, 1e-9);
        assertEquals(2.0 / 8, s.mse(), 1e-9);
        // centred per dim: dim0 values 1,3,1,3 -> 4; dim1 values 2,4,2,4 -> 4
        assertEquals(2.0 / 8, s.fvu(), 1e-9);
        assertEquals(0.0, s.deadFraction(), 0);
    }

    @Test
    void r2UsesOneScalarMeanLikeOvercomplete() {
        INDArray x = Nd4j.create(new float[][] {{1, 10}, {3, 14}});
        INDArray xHat = Nd4j.create(new float[][] {{2, 10}, {3, 13}});
        StepStats s = StepStats.of(0, x, xHat, Nd4j.zeros(2, 4));
        double mean = (1 + 10 + 3 + 14) / 4.0;
        double ssTot =
                (Math.pow(1 - mean, 2) + Math.pow(10 - mean, 2) + Math.pow(3 - mean, 2) + Math.pow(14 - mean, 2)) / 4;
        assertEquals(1 - (2.0 / 4) / (ssTot + 1e-6), s.r2(), 1e-9);
        assertEquals(1.0, s.deadFraction(), 0);
    }

    @Test
    void localTrainerLearnsAKnownDictionary() {
        SyntheticData data = new SyntheticData(12, 24, 2, 8, 128, 0.0, 3);
        TopKSAE sae = new TopKSAE(12, 48, 2);
        TrainConfig cfg = new TrainConfig();
        cfg.lr = 5e-3;
        LocalTrainer lt = new LocalTrainer(sae, cfg, null);
        List<LocalTrainer.EpochLog> logs = lt.train(data.batches, 6);
        assertEquals(6, logs.size());
        assertTrue(logs.get(5).avgLoss() < 0.7 * logs.get(0).avgLoss(), logs.toString());
        assertTrue(logs.get(5).r2() > logs.get(0).r2());
        assertEquals(2.0, logs.get(5).l0(), 1e-9);
        assertEquals(6 * 8, lt.trainer().optimizer().stepCount());
    }

    @Test
    void paperAuxKTracksDeadLatents() {
        TopKSAE sae = new TopKSAE(6, 30, 2);
        TrainConfig cfg = new TrainConfig();
        cfg.auxKPenalty = 1.0 / 32;
        cfg.auxKMode = "paper";
        cfg.kAux = 4;
        cfg.deadTokens = 16;
        Trainer tr = new Trainer(sae, cfg);
        INDArray x = Nd4j.randn(8, 6);
        Trainer.Pass first = tr.forwardBackward(x);
        double mse = Losses.mse(first.tokens(), first.output().xHat(), null, null, null)
                .loss();
        assertEquals(mse, first.loss().loss(), 1e-9, "nothing is dead yet");
        tr.clipGradients();
        tr.applyUpdate();
        StepStats s1 = tr.step(x);
        StepStats s2 = tr.step(x);
        assertTrue(s1.deadFraction() > 0);
        boolean[] dead = tr.deadLatents().mask();
        int nDead = 0;
        for (boolean d : dead) {
            nDead += d ? 1 : 0;
        }
        assertTrue(nDead > 0, "latents silent for 16 tokens are dead");
        Trainer.Pass p = tr.forwardBackward(x);
        double plain =
                Losses.mse(p.tokens(), p.output().xHat(), null, null, null).loss();
        assertTrue(p.loss().loss() > plain, "the AuxK term is active");
        assertEquals(2 * 8, s1.tokens + s2.tokens);
    }

    @Test
    void stepChangesParametersAndReportsStats() {
        TopKSAE sae = new TopKSAE(5, 20, 3);
        Trainer tr = new Trainer(sae, new TrainConfig());
        float[] before = sae.flatState();
        StepStats s = tr.step(Nd4j.randn(9, 5));
        assertEquals(9, s.tokens);
        assertEquals(3.0, s.l0(), 1e-9);
        assertTrue(s.loss > 0);
        assertTrue(!java.util.Arrays.equals(before, sae.flatState()));
        assertEquals(1, tr.optimizer().stepCount());
    }
}
