package topksae.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import topksae.spark.RoundRecord;
import topksae.spark.TopKSAETrainingSummary;

/**
 * summary.json: settings, data, the per-round records, final metrics and latent usage. Every
 * metric is a JSON number, or null where it is not finite.
 */
public final class SummaryJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {}

    /** The facts of the run (strings, numbers) plus the structured parts. */
    public static String of(
            Map<String, Object> facts,
            Map<String, Object> settings,
            TopKSAETrainingSummary summary,
            FiringStats firing) {
        ObjectNode root = JSON.createObjectNode();
        facts.forEach((k, v) -> root.set(k, v instanceof Double d ? number(d) : JSON.valueToTree(v)));
        ObjectNode s = root.putObject("settings");
        settings.forEach((k, v) -> s.set(k, JSON.valueToTree(v)));
        root.set("training", training(summary));
        root.set("firing", firing(firing));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode training(TopKSAETrainingSummary summary) {
        ObjectNode t = JSON.createObjectNode();
        t.put("validRows", summary.validRows());
        t.put("skippedRows", summary.skippedRows());
        t.put("rejectedRounds", summary.rejectedRounds());
        t.put("droppedWorkers", summary.droppedWorkers());
        t.put("droppedTokens", summary.droppedTokens());
        t.put("workers", summary.workers());
        t.put("roundsPerEpoch", summary.roundsPerEpoch());
        t.put("tokensSeen", summary.tokensSeen());
        t.set("commShare", number(summary.commShare()));
        if (!summary.rounds().isEmpty()) {
            RoundRecord last = summary.last();
            ObjectNode f = t.putObject("final");
            f.set("loss", number(last.loss()));
            f.set("fvu", number(last.fvu()));
            f.set("l0", number(last.l0()));
            f.set("deadFraction", number(last.deadFraction()));
            f.put("deadWindowTokens", last.deadWindow());
            f.set("neverFiredFraction", number(last.neverFiredFraction()));
        }
        ArrayNode rounds = t.putArray("rounds");
        for (RoundRecord r : summary.rounds()) {
            ObjectNode o = rounds.addObject();
            o.put("epoch", r.epoch());
            o.put("round", r.round());
            o.put("tokens", r.tokens());
            o.put("tokensSeen", r.tokensSeen());
            o.set("loss", number(r.loss()));
            o.set("fvu", number(r.fvu()));
            o.set("l0", number(r.l0()));
            o.set("deadFraction", number(r.deadFraction()));
            o.set("neverFiredFraction", number(r.neverFiredFraction()));
            o.set("seconds", number(r.seconds()));
            o.set("commSeconds", number(r.commSeconds()));
            o.set("tokensPerSecond", number(r.tokensPerSecond()));
            o.put("workers", r.workers());
            o.put("droppedWorkers", r.rejectedWorkers());
        }
        return t;
    }

    /** A JSON number, or null for NaN and infinities (JSON has no such numbers). */
    static com.fasterxml.jackson.databind.JsonNode number(double v) {
        return Double.isFinite(v)
                ? JSON.getNodeFactory().numberNode(v)
                : JSON.getNodeFactory().nullNode();
    }

    private static ObjectNode firing(FiringStats firing) {
        ObjectNode f = JSON.createObjectNode();
        f.put("sampleRows", firing.rows());
        f.put("latents", firing.counts().length);
        f.put("neverFired", firing.dead());
        ArrayNode edges = f.putArray("log10FrequencyEdges");
        for (double e : firing.edges()) {
            edges.add(number(e));
        }
        ArrayNode hist = f.putArray("histogram");
        for (long c : firing.histogram()) {
            hist.add(c);
        }
        return f;
    }
}
