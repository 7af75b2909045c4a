package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Params, defaults, validators and the schema check; no SparkSession needed. */
class TopKSAEParamsTest {
    @Test
    void defaultsAndTopKFallback() {
        TopKSAEEstimator e = new TopKSAEEstimator();
        assertEquals("features", e.getInputCol());
        assertEquals("codes", e.getOutputCol());
        assertEquals(1024, e.getNbConcepts());
        assertEquals(102, e.getTopK());
        e.setNbConcepts(5);
        assertEquals(1, e.getTopK());
        e.setTopK(3);
        assertEquals(3, e.getTopK());
        assertEquals("sgd", e.getOuterOptimizer());
        assertEquals(0.0, e.getOuterLearningRate(), "automatic: the sum of the workers' deltas with a fixed rate");
        assertEquals(0.0, e.getLearningRate(), "automatic: 2e-3 x 8 / topK, topK clamped to [8, 128]");
        assertEquals(0, e.getLocalSteps());
        assertEquals("error", e.getHandleInvalid());
    }

    @Test
    void everyParamHasADocAndIsOwned() {
        TopKSAEEstimator e = new TopKSAEEstimator();
        Param<?>[] params = e.params();
        assertTrue(params.length >= 30, "found " + params.length);
        for (Param<?> p : params) {
            assertEquals(e.uid(), p.parent());
            assertFalse(p.doc().isEmpty(), p.name());
        }
        assertTrue(e.explainParams().contains("outerMomentum"));
    }

    @Test
    void validatorsRejectBadValues() {
        TopKSAEEstimator e = new TopKSAEEstimator();
        assertThrows(IllegalArgumentException.class, () -> e.setNbConcepts(0));
        assertThrows(IllegalArgumentException.class, () -> e.setVariant("relu"));
        assertThrows(IllegalArgumentException.class, () -> e.setHandleInvalid("keep"));
        assertThrows(IllegalArgumentException.class, () -> e.setOuterMomentum(1.0));
        assertThrows(IllegalArgumentException.class, () -> e.setLearningRate(-1));
        assertThrows(IllegalArgumentException.class, () -> e.setOptimizerState("sharded"));
    }

    @Test
    void topKAboveNbConceptsFailsEarly() {
        TopKSAEEstimator e = new TopKSAEEstimator().setNbConcepts(8).setTopK(9);
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> e.transformSchema(SparkTestSupport.floatArraySchema("features")));
        assertTrue(ex.getMessage().contains("topK = 9 exceeds nbConcepts = 8"), ex.getMessage());
    }

    @Test
    void schemaAcceptsFloatDoubleAndVector() {
        TopKSAEEstimator e = new TopKSAEEstimator().setInputCol("x");
        for (var t : new org.apache.spark.sql.types.DataType[] {
            DataTypes.createArrayType(DataTypes.FloatType),
            DataTypes.createArrayType(DataTypes.DoubleType),
            SQLDataTypes.VectorType()
        }) {
            StructType out = e.transformSchema(new StructType().add("x", t));
            assertEquals(SQLDataTypes.VectorType(), out.apply("codes").dataType());
        }
        e.setReconstructionCol("rec").setPreCodesCol("pre");
        StructType out = e.transformSchema(new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType)));
        assertEquals(4, out.size());
    }

    @Test
    void wrongTypeNamesColumnTypeAndFix() {
        TopKSAEEstimator e = new TopKSAEEstimator().setInputCol("x");
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class,
                () -> e.transformSchema(new StructType().add("x", DataTypes.StringType)));
        assertTrue(
                ex.getMessage().contains("'x'")
                        && ex.getMessage().contains("string")
                        && ex.getMessage().contains("cast"),
                ex.getMessage());
        ex = assertThrows(
                IllegalArgumentException.class,
                () -> e.transformSchema(new StructType().add("x", DataTypes.createArrayType(DataTypes.IntegerType))));
        assertTrue(ex.getMessage().contains("array<int>"), ex.getMessage());
    }

    @Test
    void missingColumnAndClashingOutput() {
        TopKSAEEstimator e = new TopKSAEEstimator().setInputCol("nope");
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> e.transformSchema(SparkTestSupport.floatArraySchema("features")));
        assertTrue(
                ex.getMessage().contains("'nope' does not exist")
                        && ex.getMessage().contains("features"),
                ex.getMessage());
        TopKSAEEstimator clash = new TopKSAEEstimator().setOutputCol("features");
        ex = assertThrows(
                IllegalArgumentException.class,
                () -> clash.transformSchema(SparkTestSupport.floatArraySchema("features")));
        assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
    }

    @Test
    void copyKeepsValuesAndOwnership() {
        TopKSAEEstimator e = new TopKSAEEstimator().setNbConcepts(64).setTopK(4);
        TopKSAEEstimator c = e.copy(new org.apache.spark.ml.param.ParamMap());
        assertEquals(64, c.getNbConcepts());
        assertEquals(4, c.getTopK());
        assertEquals(c.uid(), c.nbConcepts().parent());
    }

    @Test
    void auxKParamsReachTheTrainConfig() {
        TopKSAEEstimator e = new TopKSAEEstimator().setNbConcepts(256);
        assertEquals("paper", e.getAuxKMode());
        assertEquals(128, e.getKAux());
        assertEquals(512, e.setNbConcepts(4096).getKAux());
        assertFalse(e.getDecoderGradProjection());
        topksae.train.TrainConfig t = e.setAuxKPenalty(1.0 / 32)
                .setKAux(64)
                .setDecoderGradProjection(true)
                .trainConfig(1, 1000);
        assertEquals("paper", t.auxKMode);
        assertEquals(64, t.kAux);
        assertEquals(1.0 / 32, t.auxKPenalty);
        assertTrue(t.decoderGradProjection);
        assertEquals("overcomplete", e.setAuxKMode("overcomplete").trainConfig(1, 1000).auxKMode);
        assertThrows(IllegalArgumentException.class, () -> e.setAuxKMode("gao"));
        assertThrows(IllegalArgumentException.class, () -> e.setKAux(0));
    }

    @Test
    void deadWindowDefaultsToWhatTheRunSees() {
        TopKSAEEstimator e = new TopKSAEEstimator();
        assertFalse(e.isSet(e.deadTokens()));
        assertEquals(50_000, e.trainConfig(1, e.visibleTokens(50_000)).deadTokens, "one epoch");
        assertEquals(10_000_000, e.trainConfig(1, e.visibleTokens(80_000_000)).deadTokens, "the paper's 10M");
        e.setMaxTokens(20_000);
        assertEquals(20_000, e.trainConfig(1, e.visibleTokens(50_000)).deadTokens, "maxTokens cuts the run");
        e.setDeadTokens(7);
        assertEquals(7, e.trainConfig(1, e.visibleTokens(50_000)).deadTokens, "set = as set");
    }
}
