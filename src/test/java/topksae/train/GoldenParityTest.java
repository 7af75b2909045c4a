package topksae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import topksae.model.BatchTopKSAE;
import topksae.model.Close;
import topksae.model.Golden;
import topksae.model.Parameter;
import topksae.model.SAE;
import topksae.model.TopKSAE;

/**
 * Every golden case produced by overcomplete 0.3.0 (torch 1.13, float32): forward, dictionary,
 * losses, gradients, clipping, one Adam step, eval, AuxK and BatchTopK thresholds.
 * Tolerances are the golden README's: forward outputs and losses abs 1e-5 + rel 1e-4; gradients
 * abs 1e-6 + rel 1e-3; post-step parameters abs 1e-5, except where |grad| < 1e-6: Adam's first
 * step moves a parameter by lr * g / (|g| + 1e-8), so a gradient that is rounding noise (e.g. the
 * bias of a Linear followed by BatchNorm, mathematically 0) can move it by up to lr either way;
 * there the tolerance is 2 lr + 1e-5 and, before the eval comparison, those entries take torch's
 * values so that eval checks the rest of the model rather than the noise.
 */
class GoldenParityTest {
    static final double F_ABS = 1e-5;
    static final double F_REL = 1e-4;
    static final double G_ABS = 1e-6;
    static final double G_REL = 1e-3;

    @TestFactory
    Stream<DynamicTest> everyCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : Golden.CASES) {
            Golden g = Golden.load(name);
            tests.add(DynamicTest.dynamicTest(name + " train forward", () -> trainForward(g)));
            tests.add(DynamicTest.dynamicTest(name + " step and eval", () -> stepAndEval(g)));
            tests.add(DynamicTest.dynamicTest(name + " auxk", () -> auxK(g)));
            if (g.has("thr.batch_threshold_1")) {
                tests.add(DynamicTest.dynamicTest(name + " batch thresholds", () -> thresholds(g)));
            }
        }
        return tests.stream();
    }

    @AfterAll
    static void report() {
        System.out.println("golden max |deviation| per group: " + Close.MAX_DEV);
    }

    static SAE model(Golden g, String pickKey) {
        SAE sae = g.freshModel();
        if (sae instanceof TopKSAE t && pickKey != null) {
            t.selector(new GoldenSelector(g.indices(pickKey)));
        }
        return sae;
    }

    static void forwardOutputs(Golden g, String prefix, SAE.Output out) {
        Close.check(
                "forward",
                g.name + " " + prefix + "pre_codes",
                g.tensor(prefix + "pre_codes"),
                out.preCodes(),
                F_ABS,
                F_REL);
        Close.check("forward", g.name + " " + prefix + "codes", g.tensor(prefix + "codes"), out.codes(), F_ABS, F_REL);
        Close.check("forward", g.name + " " + prefix + "x_hat", g.tensor(prefix + "x_hat"), out.xHat(), F_ABS, F_REL);
    }

    void trainForward(Golden g) {
        SAE sae = model(g, "train.topk_indices").train();
        SAE.Output out = sae.forward(g.tensor("x"));
        forwardOutputs(g, "train.", out);
        Close.check(
                "dictionary",
                g.name + " train.dictionary",
                g.tensor("train.dictionary"),
                sae.getDictionary(),
                F_ABS,
                F_REL);
        if (sae instanceof BatchTopKSAE b) {
            Close.check(
                    "threshold",
                    g.name + " batch_threshold",
                    g.scalar("train.batch_threshold"),
                    b.lastBatchThreshold(),
                    F_ABS,
                    F_REL);
        }
    }

    void stepAndEval(Golden g) {
        SAE sae = model(g, "train.topk_indices");
        assertEquals(g.strings("state_keys"), new ArrayList<>(sae.stateDict().keySet()), "state_dict keys");
        Trainer tr = new Trainer(sae, new TrainConfig());
        List<Parameter> params = tr.parameters();
        assertEquals(
                g.strings("param_order"), params.stream().map(Parameter::name).toList(), "parameter order");
        Trainer.Pass pass = tr.forwardBackward(g.tensor("x"));
        Close.check(
                "loss", g.name + " mse.loss", g.scalar("mse.loss"), pass.loss().loss(), F_ABS, F_REL);
        for (Parameter p : params) {
            Close.check(
                    "grad", g.name + " mse.grad." + p.name(), g.tensor("mse.grad." + p.name()), p.grad(), G_ABS, G_REL);
        }
        double total = tr.clipGradients();
        Close.check("grad_norm", g.name + " total_grad_norm", g.scalar("step.total_grad_norm"), total, F_ABS, F_REL);
        for (Parameter p : params) {
            Close.check(
                    "grad",
                    g.name + " clipped " + p.name(),
                    g.tensor("step.clipped_grad." + p.name()),
                    p.grad(),
                    G_ABS,
                    G_REL);
        }
        tr.applyUpdate();
        for (int i = 0; i < params.size(); i++) {
            String n = params.get(i).name();
            Close.check(
                    "adam",
                    g.name + " exp_avg." + n,
                    g.tensor("step.adam.exp_avg." + n),
                    tr.optimizer().expAvg(i),
                    1e-7,
                    G_REL);
            // exp_avg_sq = 0.001 g^2: relative error doubles under squaring
            Close.check(
                    "adam",
                    g.name + " exp_avg_sq." + n,
                    g.tensor("step.adam.exp_avg_sq." + n),
                    tr.optimizer().expAvgSq(i),
                    1e-12,
                    2 * G_REL);
        }
        postStepState(g, sae);
        sae.eval();
        if (sae instanceof TopKSAE t) {
            t.selector(new GoldenSelector(g.indices("eval.topk_indices")));
        }
        Close.check(
                "dictionary",
                g.name + " eval.dictionary",
                g.tensor("eval.dictionary"),
                sae.getDictionary(),
                F_ABS,
                F_REL);
        forwardOutputs(g, "eval.", sae.forward(g.tensor("x")));
    }

    static void postStepState(Golden g, SAE sae) {
        for (var e : sae.stateDict().entrySet()) {
            INDArray expected = g.tensor("step.state." + e.getKey());
            String gradKey = "step.clipped_grad." + e.getKey();
            if (!g.has(gradKey)) {
                Close.check("step_state", g.name + " step.state." + e.getKey(), expected, e.getValue(), F_ABS, F_REL);
                continue;
            }
            INDArray grad = g.tensor(gradKey);
            INDArray tiny =
                    org.nd4j.linalg.ops.transforms.Transforms.abs(grad).lt(1e-6).castTo(expected.dataType());
            INDArray tol = tiny.mul(2 * 5e-4).addi(1e-5);
            INDArray diff =
                    org.nd4j.linalg.ops.transforms.Transforms.abs(e.getValue().sub(expected));
            double over = diff.sub(tol).maxNumber().doubleValue();
            if (over > 0) {
                throw new AssertionError(
                        g.name + " step.state." + e.getKey() + " off by more than its tolerance: " + over);
            }
            Close.record("step_state", diff.mul(tiny.rsub(1)).maxNumber().doubleValue());
            Close.record("step_state_noise_grad", diff.mul(tiny).maxNumber().doubleValue());
            e.getValue().muli(tiny.rsub(1)).addi(expected.mul(tiny));
        }
    }

    void auxK(Golden g) {
        SAE sae = model(g, "train.topk_indices");
        TrainConfig c = new TrainConfig();
        c.auxKPenalty = g.config.get("auxk_penalty").asDouble();
        Trainer tr = new Trainer(sae, c);
        Trainer.Pass pass = tr.forwardBackward(g.tensor("x"));
        Close.check(
                "loss",
                g.name + " auxk.loss",
                g.scalar("auxk.loss"),
                pass.loss().loss(),
                F_ABS,
                F_REL);
        for (Parameter p : tr.parameters()) {
            Close.check(
                    "grad",
                    g.name + " auxk.grad." + p.name(),
                    g.tensor("auxk.grad." + p.name()),
                    p.grad(),
                    G_ABS,
                    G_REL);
        }
    }

    void thresholds(Golden g) {
        BatchTopKSAE sae = (BatchTopKSAE) g.freshModel().train();
        String[] inputs = {"x", "thr.x2", "thr.x3"};
        for (int i = 1; i <= 3; i++) {
            SAE.Output out = sae.forward(g.tensor(inputs[i - 1]));
            Close.check(
                    "threshold",
                    g.name + " batch_threshold_" + i,
                    g.scalar("thr.batch_threshold_" + i),
                    sae.lastBatchThreshold(),
                    F_ABS,
                    F_REL);
            assertNotNull(sae.runningThreshold());
            Close.check(
                    "threshold",
                    g.name + " running_threshold_" + i,
                    g.scalar("thr.running_threshold_" + i),
                    sae.runningThreshold(),
                    F_ABS,
                    F_REL);
            Close.check("forward", g.name + " thr.codes_" + i, g.tensor("thr.codes_" + i), out.codes(), F_ABS, F_REL);
        }
        sae.eval();
        SAE.Output out = sae.forward(g.tensor("x"));
        Close.check("forward", g.name + " thr.eval.codes", g.tensor("thr.eval.codes"), out.codes(), F_ABS, F_REL);
        Close.check("forward", g.name + " thr.eval.x_hat", g.tensor("thr.eval.x_hat"), out.xHat(), F_ABS, F_REL);
    }
}
