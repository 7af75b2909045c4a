package topksae.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.BatchTopKSAE;
import topksae.model.DictionaryParams;
import topksae.model.Encoders;
import topksae.model.Parameter;
import topksae.model.SAE;
import topksae.model.TopKSAE;

/**
 * Central finite differences in float64 against the hand-derived backward, for every encoder and
 * loss. The dictionary is read with the "identity" normalization (or a multiplier on top) because
 * in train mode every read overwrites the weights with their normalization, by design without a
 * gradient through it; BatchNorm running statistics do not affect train-mode outputs. The paper
 * AuxK treats its residual target as a constant, so its finite differences hold the target fixed.
 */
class GradientCheckTest {
    /** Finite-difference probes per model (at least 2 per parameter tensor), to keep the test fast. */
    private static final int BUDGET = 16;

    private static DataType saved;
    private static int threads;

    @BeforeAll
    static void doublePrecision() {
        saved = Nd4j.dataType();
        threads = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1); // tiny tensors: one thread avoids OpenMP overhead
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(saved, saved);
        Nd4j.getEnvironment().setMaxThreads(threads);
    }

    @ParameterizedTest(name = "{0} {1} {2} mult={3} {4}")
    @CsvSource({
        "topk, linear, mse, false, plain",
        "topk, linear, overcomplete, true, plain",
        "topk, linear, paper, false, plain",
        "topk, identity, mse, false, plain",
        "topk, identity, overcomplete, false, plain",
        "topk, mlp_ln_1, mse, false, plain",
        "topk, mlp_ln_3, overcomplete, false, plain",
        "topk, mlp_ln_3, mse, false, residual",
        "topk, mlp_bn_1, mse, true, plain",
        "topk, mlp_bn_3, overcomplete, false, plain",
        "topk, mlp_bn_3, paper, false, residual",
        "topk, linear, overcomplete, false, tied",
        "topk, linear, mse, true, untied",
        "batchtopk, linear, mse, false, plain",
        "batchtopk, mlp_ln_1, overcomplete, false, plain",
    })
    void analyticMatchesFiniteDifferences(
            String variant, String encoder, String loss, boolean multiplier, String mode) {
        int dim = 6;
        int n = encoder.equals("identity") ? dim : 20;
        int k = 4;
        DictionaryParams dp = new DictionaryParams("identity", multiplier);
        Encoders.Options opts = new Encoders.Options(mode.equals("residual") ? dim : null, mode.equals("residual"));
        SAE sae = variant.equals("topk")
                ? new TopKSAE(new int[] {dim}, n, k, encoder, dp, "cpu", opts, 3)
                : new BatchTopKSAE(new int[] {dim}, n, 5 * k, 0.9, encoder, dp, "cpu", opts, 3);
        if (mode.equals("tied")) {
            sae.tied(true);
        } else if (mode.equals("untied")) {
            sae.untied(true, true);
        }
        perturbState(sae, new Random(5));
        TrainConfig cfg = new TrainConfig();
        if (!loss.equals("mse")) {
            cfg.auxKPenalty = 0.3;
            cfg.auxKMode = loss;
            cfg.kAux = 5;
            cfg.deadTokens = 0; // every latent counts as dead: the paper term is always active
        }
        INDArray x = Nd4j.rand(DataType.DOUBLE, 7, dim).subi(0.3).muli(2);
        Trainer tr = new Trainer(sae, cfg);
        Trainer.Pass first = tr.forwardBackward(x);
        List<Parameter> params = tr.parameters();
        if (loss.equals("paper")) {
            tr = new Trainer(sae, cfg, frozenTargetPaperLoss(first, cfg));
        }
        List<INDArray> analytic = params.stream().map(p -> p.grad().dup()).toList();
        Random pick = new Random(11);
        double worst = 0;
        int probes = Math.max(2, Math.min(4, BUDGET / params.size()));
        for (int i = 0; i < params.size(); i++) {
            INDArray v = params.get(i).value();
            for (int t = 0; t < Math.min(probes, v.length()); t++) {
                long e = v.length() <= probes ? t : pick.nextInt((int) v.length());
                double orig = v.getDouble(e);
                double h = 1e-6;
                v.putScalar(e, orig + h);
                double up = tr.forwardBackward(x).loss().loss();
                v.putScalar(e, orig - h);
                double down = tr.forwardBackward(x).loss().loss();
                v.putScalar(e, orig);
                double fd = (up - down) / (2 * h);
                double an = analytic.get(i).getDouble(e);
                double err = Math.abs(fd - an);
                worst = Math.max(worst, err / (1e-4 + Math.abs(fd)));
                assertTrue(
                        err <= 1e-6 + 1e-4 * Math.abs(fd),
                        params.get(i).name() + "[" + e + "]: finite difference " + fd + " vs analytic " + an);
            }
        }
        topksae.model.Close.record("finite_difference_rel", worst);
    }

    /** mse + the paper AuxK term with its target fixed at the first pass's residual. */
    static Loss frozenTargetPaperLoss(Trainer.Pass first, TrainConfig cfg) {
        INDArray target = first.tokens().sub(first.output().xHat());
        boolean[] dead = new boolean[(int) first.output().codes().columns()];
        java.util.Arrays.fill(dead, true);
        return (x, xHat, pre, codes, dict) -> {
            LossResult m = Losses.mse(x, xHat, pre, codes, dict);
            LossResult a = PaperAuxK.auxTerm(target, pre, dict, dead, cfg.kAux, cfg.auxKPenalty);
            return new LossResult(m.loss() + a.loss(), m.gradXHat(), a.gradPreCodes(), null, a.gradDictionary());
        };
    }

    /** Moves BN/LN affine params and the multiplier off their init so every path matters. */
    static void perturbState(SAE sae, Random rng) {
        for (Parameter p : sae.parameters()) {
            if (p.name().endsWith("multiplier")) {
                p.value().assign(0.2);
            } else if (p.value().rank() == 1
                    && (p.name().contains(".1.") || p.name().contains("bias"))) {
                for (long i = 0; i < p.value().length(); i++) {
                    p.value().putScalar(i, p.value().getDouble(i) + 0.2 * rng.nextGaussian());
                }
            }
        }
    }
}
