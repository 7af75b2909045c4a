package topksae.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import topksae.io.DType;
import topksae.io.HadoopSafetensors;
import topksae.io.MalformedSafetensorsException;
import topksae.io.SafetensorsFile;
import topksae.io.Tensor;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * Everything needed to continue a fit after a round: the model config and flat state, the
 * optimizer state (averaged mode; null in per-worker mode, where resuming restarts the Adam
 * moments), the outer momentum, the fixed input offset, the position (epoch, next round of the
 * epoch, rounds done, tokens seen) and the dead-concept tracker.
 *
 * <p>On disk (a checkpoint): DIR/round-NNNNNNNN/state.safetensors with tensors "state",
 * "optimizer", "outer_momentum", "pre_bias", "last_fired" (those present) and the position and
 * config in the metadata, DIR/round-NNNNNNNN/CHECKSUM its SHA-256 and length; DIR/LATEST names the
 * newest round directory. Resuming verifies a checkpoint and falls back to the newest valid one.
 */
public final class TrainingState {
    static final String FORMAT = "topksae-checkpoint-1";
    static final String STATE_FILE = "state.safetensors";
    static final String CHECKSUM_FILE = "CHECKSUM";
    static final String LATEST = "LATEST";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainingState.class);
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

    public TrainingState(
            SAEConfig config,
            float[] state,
            float[] optimizer,
            float[] outerMomentum,
            float[] preBias,
            int epoch,
            int nextRound,
            int roundsDone,
            long tokensSeen,
            long[] lastFired) {
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

    /**
     * Writes DIR/round-NNNNNNNN/state.safetensors and its CHECKSUM (SHA-256 and length), then points
     * DIR/LATEST at it.
     */
    public void writeCheckpoint(String dir, Configuration conf) throws IOException {
        String name = roundName(roundsDone);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("state", f32(state));
        put(t, "optimizer", optimizer);
        put(t, "outer_momentum", outerMomentum);
        put(t, "pre_bias", preBias);
        t.put("last_fired", Tensor.i64(new long[] {lastFired.length}, lastFired));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("config", config.toJson());
        meta.put("epoch", Integer.toString(epoch));
        meta.put("next_round", Integer.toString(nextRound));
        meta.put("rounds_done", Integer.toString(roundsDone));
        meta.put("tokens_seen", Long.toString(tokensSeen));
        HadoopSafetensors.Written w =
                HadoopSafetensors.write(dir + "/" + name + "/" + STATE_FILE, conf, new SafetensorsFile(t, meta));
        writeText(new Path(dir + "/" + name, CHECKSUM_FILE), w.sha256() + " " + w.length() + "\n", conf);
        writeText(new Path(dir, LATEST), name, conf);
    }

    static String roundName(int roundsDone) {
        return String.format("round-%08d", roundsDone);
    }

    /** The state read from a checkpoint, the round directory it came from, and the newer ones skipped as invalid. */
    public record Loaded(TrainingState state, String round, List<String> skipped) {}

    /** Reads the newest valid checkpoint of DIR (see {@link #load}), or one round directory. */
    public static TrainingState readCheckpoint(String dir, Configuration conf) throws IOException {
        Loaded l = load(dir, conf);
        for (String s : l.skipped()) {
            LOG.warn("topksae: skipped an invalid checkpoint: {}", s);
        }
        return l.state();
    }

    /**
     * The newest checkpoint of DIR that verifies (length, SHA-256, contents): the one LATEST names,
     * else the newest other round directory; or DIR itself when it is a round directory.
     */
    public static Loaded load(String dir, Configuration conf) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem(conf);
        List<String> skipped = new ArrayList<>();
        for (Path round : candidates(fs, root)) {
            try {
                return new Loaded(readRound(fs, round, conf), round.getName(), skipped);
            } catch (IOException | RuntimeException e) {
                skipped.add(round + ": " + e.getMessage());
            }
        }
        throw new IOException(
                skipped.isEmpty()
                        ? "no checkpoint in " + dir
                        : "no valid checkpoint in " + dir + ": " + String.join("; ", skipped));
    }

    private static List<Path> candidates(FileSystem fs, Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (fs.exists(new Path(root, STATE_FILE))) {
            out.add(root);
            return out;
        }
        Path latest = new Path(root, LATEST);
        if (fs.exists(latest)) {
            try (var in = fs.open(latest)) {
                String name = new String(in.readNBytes(256), StandardCharsets.UTF_8).trim();
                if (name.startsWith("round-") && !name.contains("/")) {
                    out.add(new Path(root, name));
                }
            }
        }
        if (fs.exists(root)) {
            FileStatus[] rounds = fs.listStatus(root, p -> p.getName().startsWith("round-"));
            Arrays.sort(
                    rounds,
                    Comparator.comparing((FileStatus st) -> st.getPath().getName())
                            .reversed());
            for (FileStatus st : rounds) {
                if (out.stream().noneMatch(p -> p.getName().equals(st.getPath().getName()))) {
                    out.add(st.getPath());
                }
            }
        }
        return out;
    }

    private static TrainingState readRound(FileSystem fs, Path round, Configuration conf) throws IOException {
        Path sums = new Path(round, CHECKSUM_FILE);
        HadoopSafetensors.Written expected = null;
        if (fs.exists(sums)) {
            String[] parts;
            try (var in = fs.open(sums)) {
                parts = new String(in.readNBytes(256), StandardCharsets.UTF_8)
                        .trim()
                        .split(" ");
            }
            if (parts.length != 2) {
                throw new MalformedSafetensorsException(sums + " is not '<sha256> <length>'");
            }
            expected = new HadoopSafetensors.Written(Long.parseLong(parts[1]), parts[0]);
        }
        return fromFile(HadoopSafetensors.read(new Path(round, STATE_FILE).toString(), conf, expected));
    }

    /** The state a checkpoint file holds; sizes must agree with its config. */
    static TrainingState fromFile(SafetensorsFile c) throws MalformedSafetensorsException {
        String where = c.source();
        if (!FORMAT.equals(c.metadata().get("format"))) {
            throw new MalformedSafetensorsException(where + " is not a topksae checkpoint (format "
                    + c.metadata().get("format") + ")");
        }
        SAEConfig config = ModelShape.config(c);
        long floats = c.tensors().values().stream().mapToLong(Tensor::numel).sum();
        SAE sae = ModelShape.build(config, floats, where);
        float[] state = vector(c, "state", ModelState.of(sae).length, true);
        long[] lastFired = c.require("last_fired").toLongs();
        if (lastFired.length != config.nbConcepts) {
            throw new MalformedSafetensorsException(where + ": tensor 'last_fired' has " + lastFired.length
                    + " values, the config has " + config.nbConcepts + " concepts");
        }
        return new TrainingState(
                config,
                state,
                vector(c, "optimizer", -1, false),
                vector(c, "outer_momentum", state.length, false),
                vector(c, "pre_bias", sae.inputDim(), false),
                (int) number(c, "epoch"),
                (int) number(c, "next_round"),
                (int) number(c, "rounds_done"),
                number(c, "tokens_seen"),
                lastFired);
    }

    private static float[] vector(SafetensorsFile c, String name, int length, boolean required)
            throws MalformedSafetensorsException {
        Tensor t = required ? c.require(name) : c.tensors().get(name);
        if (t == null) {
            return null;
        }
        if (t.dtype() != DType.F32 || t.shape().length != 1 || (length >= 0 && t.numel() != length)) {
            throw new MalformedSafetensorsException(c.source() + ": tensor '" + name + "' is " + t
                    + (length >= 0 ? ", expected F32 [" + length + "] for its config" : ", expected F32 [n]"));
        }
        return t.toFloats();
    }

    private static long number(SafetensorsFile c, String key) throws MalformedSafetensorsException {
        String v = c.requireMetadata(key);
        try {
            long n = Long.parseLong(v);
            if (n < 0 || (!key.equals("tokens_seen") && n > Integer.MAX_VALUE)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedSafetensorsException(
                    c.source() + ": metadata '" + key + "' = '" + v + "' is not a non-negative integer");
        }
    }

    private static void writeText(Path p, String text, Configuration conf) throws IOException {
        try (FSDataOutputStream out = p.getFileSystem(conf).create(p, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void put(Map<String, Tensor> t, String name, float[] v) {
        if (v != null) {
            t.put(name, f32(v));
        }
    }

    private static Tensor f32(float[] v) {
        return Tensor.f32(new long[] {v.length}, v);
    }
}
