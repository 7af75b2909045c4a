package topksae.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.param.Param;
import topksae.job.ReportData.SettingRow;
import topksae.spark.TopKSAEEstimator;
import topksae.spark.TopKSAEModel;
import topksae.spark.TopKSAETrainingSummary;

/**
 * The report's settings table, read from what trained the model: its shape, the recipe values
 * the fit resolved (automatic learning rates, planned steps), then every param of the estimator
 * with where its value came from (given, demo default or default).
 */
final class TrainedSettings {
    static final String MODEL = "model";
    static final String RESOLVED = "resolved by the fit";

    private TrainedSettings() {}

    static List<SettingRow> rows(TopKSAEEstimator est, TopKSAEModel model, JobCommand.Parsed parsed) {
        List<SettingRow> out = new ArrayList<>();
        out.add(new SettingRow("inputDim", String.valueOf(model.config().inputShape[0]), MODEL, "activation width"));
        out.add(new SettingRow("nbConcepts", String.valueOf(model.config().nbConcepts), MODEL, "dictionary size"));
        out.add(new SettingRow("topK", String.valueOf(model.getTopK()), MODEL, "active concepts per row"));
        TopKSAETrainingSummary.RecipeValues r =
                model.hasSummary() ? model.summary().recipe() : null;
        if (r != null) {
            out.add(new SettingRow("learningRate", num(r.learningRate()), RESOLVED, "inner (worker) Adam rate used"));
            out.add(new SettingRow("lrSchedule", r.lrSchedule(), RESOLVED, "learning-rate schedule used"));
            out.add(new SettingRow(
                    "plannedSteps", String.valueOf(r.plannedSteps()), RESOLVED, "optimizer steps planned"));
            out.add(new SettingRow("warmupSteps", String.valueOf(r.warmupSteps()), RESOLVED, "warm-up steps"));
            out.add(new SettingRow("localSteps", String.valueOf(r.localSteps()), RESOLVED, "local steps per round"));
            out.add(new SettingRow(
                    "outerOptimizer",
                    r.outerOptimizer(),
                    RESOLVED,
                    "how the driver applies the " + "workers' updates"));
            out.add(new SettingRow("outerLearningRate", num(r.outerLearningRate()), RESOLVED, "outer rate used"));
        }
        boolean demo = parsed.values().get("input") == null;
        for (Setting s : ParamSettings.of(est, TrainJob.TRAINING)) {
            if (TrainJob.JOB_OWNED.contains(s.name())) {
                continue;
            }
            Object v = trained(model, s.name());
            if (v == null) {
                Param<?> p = est.getParam(s.name());
                v = est.isDefined(p) ? est.getOrDefault(p) : null;
            }
            String value = v == null ? "(automatic)" : String.valueOf(v);
            String from = parsed.explicit().contains(s.name())
                    ? "given"
                    : demo && JobSettings.DEMO_DEFAULTS.containsKey(s.name()) ? "demo default" : "default";
            out.add(new SettingRow(s.name(), value, from, s.description()));
        }
        return out;
    }

    /** The value a training param has on the model (the fit resolves some, e.g. topK), or null. */
    static Object trained(TopKSAEModel model, String name) {
        if (!model.hasParam(name)) {
            return null;
        }
        Param<?> p = model.getParam(name);
        return model.isSet(p) ? model.getOrDefault(p) : null;
    }

    /** summary.json's settings: the run's settings, with the trained model's values where it has them. */
    static Map<String, Object> forSummary(Map<String, Object> used, TopKSAEModel model) {
        Map<String, Object> out = new LinkedHashMap<>(used);
        out.replaceAll((name, v) -> {
            Object t = TrainJob.JOB_OWNED.contains(name) ? null : trained(model, name);
            return t != null ? t : v;
        });
        return out;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
