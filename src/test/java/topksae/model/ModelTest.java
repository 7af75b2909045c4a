package topksae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelTest {
    @Test
    void defaultTopKAndEncoder() {
        assertEquals(6, new TopKSAE(16, 64, null).topK());
        assertEquals(1, new TopKSAE(16, 5, null).topK());
        TopKSAE sae = new TopKSAE(16, 64, 4);
        assertEquals(
                List.of("encoder.final_block.0.weight", "encoder.final_block.0.bias", "dictionary._weights"),
                sae.parameters().stream().map(Parameter::name).toList());
        assertThrows(IllegalArgumentException.class, () -> new TopKSAE(16, 64, 0));
    }

    @Test
    void codesHaveAtMostKNonzerosTakenFromReluPreCodes() {
        TopKSAE sae = new TopKSAE(8, 40, 3);
        INDArray x = Nd4j.randn(11, 8);
        SAE.Output out = sae.forward(x);
        INDArray relu = org.nd4j.linalg.ops.transforms.Transforms.relu(out.preCodes(), true);
        for (int r = 0; r < 11; r++) {
            int nz = 0;
            for (int j = 0; j < 40; j++) {
                double c = out.codes().getDouble(r, j);
                if (c != 0) {
                    nz++;
                    assertEquals(relu.getDouble(r, j), c, 0.0);
                }
            }
            assertTrue(nz <= 3);
        }
        INDArray expected = out.codes().mmul(sae.getDictionary());
        assertTrue(expected.equalsWithEps(out.xHat(), 1e-5));
    }

    @Test
    void trainReadsRenormalizeInPlaceAndEvalCachesOnce() {
        TopKSAE sae = new TopKSAE(8, 20, 3);
        INDArray w = sae.dictionaryLayer().weights().value();
        w.muli(3);
        sae.getDictionary();
        assertTrue(w.norm2(1).equalsWithEps(Nd4j.ones(20), 1e-5), "rows are unit norm after a train read");
        sae.eval();
        INDArray fused = sae.getDictionary().dup();
        w.muli(2);
        sae.eval();
        assertTrue(fused.equalsWithEps(sae.getDictionary(), 0), "eval() while in eval does not refresh the cache");
        sae.train();
        sae.eval();
        assertTrue(sae.getDictionary().norm2(1).equalsWithEps(Nd4j.ones(20), 1e-5));
    }

    @Test
    void normalizations() {
        INDArray w = Nd4j.create(new float[][] {{3, 4}, {1, -1}});
        assertTrue(Normalizations.get("l2")
                .apply(w)
                .equalsWithEps(Nd4j.create(new float[][] {{0.6f, 0.8f}, {0.70710677f, -0.70710677f}}), 1e-6));
        assertTrue(Normalizations.get("max_l2").apply(w).equalsWithEps(w.div(5), 1e-7));
        assertTrue(Normalizations.get("l1")
                .apply(w)
                .equalsWithEps(Nd4j.create(new float[][] {{3 / 7f, 4 / 7f}, {0.5f, -0.5f}}), 1e-6));
        assertTrue(Normalizations.get("max_l1").apply(w).equalsWithEps(w.div(7), 1e-7));
        assertTrue(Normalizations.get("identity").apply(w).equalsWithEps(w, 0));
        assertThrows(IllegalArgumentException.class, () -> Normalizations.get("l3"));
    }

    @Test
    void customNormalizationMultiplierAndInitializer() {
        INDArray init = Nd4j.rand(10, 4);
        DictionaryParams dp =
                new DictionaryParams().custom(w -> w.mul(2)).multiplier(true).initializer(init);
        TopKSAE sae = new TopKSAE(new int[] {4}, 10, 2, null, dp, "cpu");
        sae.dictionaryLayer().parameters().get(1).value().assign(0.5);
        INDArray d = sae.getDictionary();
        assertTrue(d.equalsWithEps(init.mul(2 * Math.exp(0.5)), 1e-5));
        assertEquals(
                "dictionary.multiplier",
                sae.parameters().get(sae.parameters().size() - 1).name());
        assertThrows(
                IllegalArgumentException.class,
                () -> new TopKSAE(
                        new int[] {4}, 10, 2, null, new DictionaryParams().initializer(Nd4j.rand(3, 3)), "cpu"));
    }

    @Test
    void sequenceAndImageInputsBecomeTokens() {
        TopKSAE seq = new TopKSAE(new int[] {3, 5}, 20, 2, null, null, "cpu");
        INDArray x = Nd4j.randn(new long[] {2, 3, 5});
        SAE.Output a = seq.forward(x);
        SAE.Output b = seq.forward(x.reshape(6, 5));
        assertArrayEquals(new long[] {6, 20}, a.codes().shape());
        assertTrue(a.xHat().equalsWithEps(b.xHat(), 1e-6));

        TopKSAE img = new TopKSAE(new int[] {4, 2, 3}, 16, 2, null, null, "cpu");
        INDArray im = Nd4j.randn(new long[] {2, 4, 2, 3});
        INDArray tokens = im.permute(0, 2, 3, 1).dup('c').reshape(12, 4);
        assertTrue(img.toTokens(im).equalsWithEps(tokens, 0));
        assertEquals(tokens.getDouble(5, 2), im.getDouble(0, 2, 1, 2), 0.0);
        assertArrayEquals(new long[] {12, 4}, img.forward(im).xHat().shape());
        assertThrows(IllegalArgumentException.class, () -> img.forward(Nd4j.randn(3, 5)));
    }

    @Test
    void devicesFailClearlyWithoutGpu() {
        if (!Nd4j.getEnvironment().isCPU()) {
            return; // a GPU backend is active: nothing to refuse
        }
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new TopKSAE(new int[] {4}, 8, 2, null, null, "cuda"));
        assertTrue(e.getMessage().contains("-Pcuda"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new TopKSAE(new int[] {4}, 8, 2, null, null, "gpu"));
        assertThrows(IllegalArgumentException.class, () -> new TopKSAE(new int[] {4}, 8, 2, null, null, "tpu"));
    }

    @Test
    void configJsonRoundTripRebuildsTheSameModel() {
        TopKSAE sae = new TopKSAE(
                new int[] {6},
                24,
                3,
                "mlp_bn_3",
                DictionaryParams.of("max_l2").multiplier(true),
                "cpu",
                new Encoders.Options(9, true),
                77);
        SAEConfig c = SAEConfig.fromJson(sae.config().toJson());
        assertEquals("mlp_bn_3", c.encoder);
        assertEquals(9, c.hiddenDim);
        assertTrue(c.residual);
        assertEquals("max_l2", c.normalization);
        assertEquals(77, c.seed);
        SAE again = SAE.fromConfig(c);
        assertArrayEquals(sae.flatState(), again.flatState());
        assertEquals(sae.stateDict().keySet(), again.stateDict().keySet());
        SAE other = new TopKSAE(new int[] {6}, 24, 3, "mlp_bn_3", null, "cpu", null, 78);
        assertNotEquals(sae.flatState()[0], other.flatState()[0]);

        BatchTopKSAE b = new BatchTopKSAE(new int[] {6}, 24, 30, 0.8, null, null, "cpu");
        SAEConfig bc = SAEConfig.fromJson(b.config().toJson());
        assertEquals("batchtopk", bc.variant);
        assertEquals(0.8, bc.thresholdMomentum);
        assertTrue(SAE.fromConfig(bc) instanceof BatchTopKSAE);
    }

    @Test
    void flatStateRoundTripIncludesBuffers() {
        TopKSAE a = new TopKSAE(new int[] {5}, 12, 2, "mlp_bn_1", null, "cpu", null, 1);
        a.forward(Nd4j.randn(4, 5)); // moves running stats and num_batches_tracked
        TopKSAE b = new TopKSAE(new int[] {5}, 12, 2, "mlp_bn_1", null, "cpu", null, 2);
        b.loadFlatState(a.flatState());
        assertArrayEquals(a.flatState(), b.flatState());
        assertEquals(
                1L,
                b.stateDict().get("encoder.final_block.1.num_batches_tracked").getLong(0));
        assertThrows(IllegalArgumentException.class, () -> b.loadFlatState(new float[3]));
        assertEquals(
                List.of(
                        "encoder.final_block.0.weight",
                        "encoder.final_block.0.bias",
                        "encoder.final_block.1.weight",
                        "encoder.final_block.1.bias",
                        "encoder.final_block.1.running_mean",
                        "encoder.final_block.1.running_var",
                        "encoder.final_block.1.num_batches_tracked",
                        "dictionary._weights",
                        "dictionary.multiplier"),
                List.copyOf(a.stateDict().keySet()));
    }

    @Test
    void batchNormTrainUpdatesRunningStatsEvalUsesThem() {
        BatchNorm1d bn = new BatchNorm1d("bn", 2);
        INDArray x = Nd4j.create(new float[][] {{1, 2}, {3, 6}});
        INDArray y = bn.forward(x);
        assertTrue(y.equalsWithEps(Nd4j.create(new float[][] {{-1, -1}, {1, 1}}), 1e-4));
        java.util.Map<String, INDArray> s = new java.util.LinkedHashMap<>();
        bn.collectState(s);
        assertTrue(s.get("bn.running_mean").equalsWithEps(Nd4j.create(new float[] {0.2f, 0.4f}), 1e-6));
        assertTrue(s.get("bn.running_var").equalsWithEps(Nd4j.create(new float[] {0.9f + 0.2f, 0.9f + 0.8f}), 1e-6));
        bn.train(false);
        INDArray e = bn.forward(x);
        assertEquals((1 - 0.2) / Math.sqrt(1.1 + 1e-5), e.getDouble(0, 0), 1e-5);
    }

    @Test
    void tiedAndUntiedEncoders() {
        TopKSAE sae = new TopKSAE(6, 18, 3);
        sae.tied(true);
        assertEquals(
                List.of("encoder.bias", "dictionary._weights"),
                sae.parameters().stream().map(Parameter::name).toList());
        INDArray x = Nd4j.randn(4, 6);
        SAE.Output out = sae.forward(x);
        assertTrue(out.preCodes().equalsWithEps(x.mmul(sae.getDictionary().transpose()), 1e-5));
        sae.untied(false, true);
        assertEquals(
                List.of("encoder.weight", "dictionary._weights"),
                sae.parameters().stream().map(Parameter::name).toList());
        assertTrue(sae.stateDict().get("encoder.weight").equalsWithEps(sae.getDictionary(), 1e-6));
        SAE again = SAE.fromConfig(SAEConfig.fromJson(sae.config().toJson()));
        assertEquals("untied", again.config().encoder);
        assertEquals(sae.stateDict().keySet(), again.stateDict().keySet());
        SAE tied = SAE.fromConfig(new TopKSAE(6, 18, 3).tied(true).config());
        assertEquals(
                List.of("encoder.bias", "dictionary._weights"),
                tied.parameters().stream().map(Parameter::name).toList());
    }

    @Test
    void userRegisteredEncoder() {
        Encoders.register("scaled_identity", (d, n, o, r) -> new Encoder() {
            @Override
            public SAE.Encoded forward(INDArray x) {
                return new SAE.Encoded(x.mul(2), org.nd4j.linalg.ops.transforms.Transforms.relu(x.mul(2), true));
            }

            @Override
            public INDArray backward(INDArray gPre, INDArray gCodes) {
                return null;
            }

            @Override
            public List<Parameter> parameters() {
                return List.of();
            }

            @Override
            public void collectState(java.util.Map<String, INDArray> out) {}

            @Override
            public void train(boolean mode) {}
        });
        assertTrue(Encoders.names().contains("scaled_identity"));
        TopKSAE sae = new TopKSAE(new int[] {4}, 4, 1, "scaled_identity", DictionaryParams.of("identity"), "cpu");
        SAE.Output out = sae.forward(Nd4j.create(new float[][] {{1, 3, -2, 0}}));
        assertTrue(out.codes().equalsWithEps(Nd4j.create(new float[][] {{0, 6, 0, 0}}), 0));
        assertEquals("scaled_identity", sae.config().encoder);
        assertThrows(IllegalArgumentException.class, () -> new TopKSAE(new int[] {4}, 4, 1, "nope", null, "cpu"));
    }

    @Test
    void batchTopKKeepsTiesAndUsesRunningThresholdInEval() {
        BatchTopKSAE sae =
                new BatchTopKSAE(new int[] {3}, 3, 2, 0.5, "identity", DictionaryParams.of("identity"), "cpu");
        INDArray x = Nd4j.create(new float[][] {{1, 2, 2}, {0, -1, 0.5f}});
        SAE.Output out = sae.forward(x);
        assertEquals(2.0, sae.lastBatchThreshold(), 0);
        assertTrue(out.codes().equalsWithEps(Nd4j.create(new float[][] {{0, 2, 2}, {0, 0, 0}}), 0));
        sae.forward(x.mul(0.5));
        assertEquals(0.5 * 2 + 0.5 * 1, sae.runningThreshold(), 1e-6);
        sae.eval();
        SAE.Output ev = sae.forward(x);
        assertTrue(ev.codes().equalsWithEps(Nd4j.create(new float[][] {{0, 2, 2}, {0, 0, 0}}), 0));
        assertThrows(
                IllegalStateException.class,
                () -> new BatchTopKSAE(3, 6, 2).eval().forward(x));
    }
}
