package topksae.job;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import topksae.spark.RoundRecord;
import topksae.spark.TopKSAETrainingSummary;

/** summary.json: settings, data, the per-round records, final metrics and latent usage. */
public final class SummaryJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SummaryJson() {
  }

  /** The facts of the run (strings, numbers) plus the structured parts. */
  public static String of(Map<String, Object> facts, Map<String, Object> settings,
                          TopKSAETrainingSummary summary, FiringStats firing) {
    ObjectNode root = JSON.createObjectNode();
    facts.forEach((k, v) -> root.set(k, JSON.valueToTree(v)));
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
    t.put("workers", summary.workers());
    t.put("roundsPerEpoch", summary.roundsPerEpoch());
    t.put("tokensSeen", summary.tokensSeen());
    t.put("commShare", summary.commShare());
    if (!summary.rounds().isEmpty()) {
      RoundRecord last = summary.last();
      ObjectNode f = t.putObject("final");
      f.put("loss", last.loss());
      f.put("fvu", last.fvu());
      f.put("l0", last.l0());
      f.put("deadFraction", last.deadFraction());
      f.put("deadWindowTokens", last.deadWindow());
      f.put("neverFiredFraction", last.neverFiredFraction());
    }
    ArrayNode rounds = t.putArray("rounds");
    for (RoundRecord r : summary.rounds()) {
      ObjectNode o = rounds.addObject();
      o.put("epoch", r.epoch());
      o.put("round", r.round());
      o.put("tokens", r.tokens());
      o.put("tokensSeen", r.tokensSeen());
      o.put("loss", r.loss());
      o.put("fvu", r.fvu());
      o.put("l0", r.l0());
      o.put("deadFraction", r.deadFraction());
      o.put("neverFiredFraction", r.neverFiredFraction());
      o.put("seconds", r.seconds());
      o.put("commSeconds", r.commSeconds());
      o.put("tokensPerSecond", r.tokensPerSecond());
      o.put("workers", r.workers());
    }
    return t;
  }

  private static ObjectNode firing(FiringStats firing) {
    ObjectNode f = JSON.createObjectNode();
    f.put("sampleRows", firing.rows());
    f.put("latents", firing.counts().length);
    f.put("neverFired", firing.dead());
    ArrayNode edges = f.putArray("log10FrequencyEdges");
    for (double e : firing.edges()) {
      edges.add(e);
    }
    ArrayNode hist = f.putArray("histogram");
    for (long c : firing.histogram()) {
      hist.add(c);
    }
    return f;
  }
}
