package topksae.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import topksae.model.SAEConfig;

/**
 * Everything needed to continue a fit after a round: the model config and flat state, the
 * optimizer state (averaged mode; null in per-worker mode, where resuming restarts the Adam
 * moments), the outer momentum, the fixed input offset, the position (epoch, next round of the
 * epoch, rounds done, tokens seen) and the dead-concept tracker.
 *
 * <p>On disk (a checkpoint): DIR/round-NNNNNNNN/state.safetensors with tensors "state",
 * "optimizer", "outer_momentum", "pre_bias", "last_fired" (those present) and the position and
 * config in the metadata; DIR/LATEST names the newest round directory.
 */
public final class TrainingState {
  public final SAEConfig config;
  public final float[] state;
  public final float[] optimizer;
  public final float[] outerMomentum;
  public final float[] preBias;
  public final int epoch;
  public final int nextRound;
  public final int roundsDone;
  public final long tokensSeen;
  public final long[] lastFired;

  public TrainingState(SAEConfig config, float[] state, float[] optimizer, float[] outerMomentum, float[] preBias,
      int epoch, int nextRound, int roundsDone, long tokensSeen, long[] lastFired) {
    this.config = config;
    this.state = state;
    this.optimizer = optimizer;
    this.outerMomentum = outerMomentum;
    this.preBias = preBias;
    this.epoch = epoch;
    this.nextRound = nextRound;
    this.roundsDone = roundsDone;
    this.tokensSeen = tokensSeen;
    this.lastFired = lastFired;
  }

  /** Writes DIR/round-NNNNNNNN/state.safetensors, then points DIR/LATEST at it. */
  public void writeCheckpoint(String dir, Configuration conf) throws IOException {
    String name = String.format("round-%08d", roundsDone);
    Map<String, TensorFile.Tensor> t = new LinkedHashMap<>();
    t.put("state", TensorFile.Tensor.of(state, state.length));
    put(t, "optimizer", optimizer);
    put(t, "outer_momentum", outerMomentum);
    put(t, "pre_bias", preBias);
    t.put("last_fired", new TensorFile.Tensor(new long[] {lastFired.length}, null, lastFired));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "topksae-checkpoint-1");
    meta.put("config", config.toJson());
    meta.put("epoch", Integer.toString(epoch));
    meta.put("next_round", Integer.toString(nextRound));
    meta.put("rounds_done", Integer.toString(roundsDone));
    meta.put("tokens_seen", Long.toString(tokensSeen));
    TensorFile.write(dir + "/" + name + "/state.safetensors", conf, t, meta);
    Path latest = new Path(dir, "LATEST");
    try (FSDataOutputStream out = latest.getFileSystem(conf).create(latest, true)) {
      out.write(name.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Reads a checkpoint: DIR (following DIR/LATEST) or one round directory. */
  public static TrainingState readCheckpoint(String dir, Configuration conf) throws IOException {
    Path latest = new Path(dir, "LATEST");
    FileSystem fs = latest.getFileSystem(conf);
    String roundDir = dir;
    if (fs.exists(latest)) {
      try (var in = fs.open(latest)) {
        roundDir = dir + "/" + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    }
    TensorFile.Contents c = TensorFile.read(roundDir + "/state.safetensors", conf);
    Map<String, String> m = c.metadata();
    if (!"topksae-checkpoint-1".equals(m.get("format"))) {
      throw new IOException(roundDir + " is not a topksae checkpoint (format " + m.get("format") + ")");
    }
    return new TrainingState(SAEConfig.fromJson(m.get("config")), f32(c, "state"), f32(c, "optimizer"),
        f32(c, "outer_momentum"), f32(c, "pre_bias"), Integer.parseInt(m.get("epoch")),
        Integer.parseInt(m.get("next_round")), Integer.parseInt(m.get("rounds_done")),
        Long.parseLong(m.get("tokens_seen")), c.tensors().get("last_fired").i64());
  }

  private static void put(Map<String, TensorFile.Tensor> t, String name, float[] v) {
    if (v != null) {
      t.put(name, TensorFile.Tensor.of(v, v.length));
    }
  }

  private static float[] f32(TensorFile.Contents c, String name) {
    TensorFile.Tensor t = c.tensors().get(name);
    return t == null ? null : t.f32();
  }
}
