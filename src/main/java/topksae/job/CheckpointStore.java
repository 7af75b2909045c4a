package topksae.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import topksae.spark.TrainingState;

/**
 * Training checkpoints in a directory of any Hadoop filesystem, written so that a crash at any
 * moment leaves the previous checkpoint usable: each one is written under a temporary name,
 * renamed into place as {@code round-NNNNNNNN/}, and only then does {@code LATEST} (itself
 * replaced by rename) point at it. The layout is the estimator's, so its {@code resumeFrom}
 * param reads it. The newest {@link #KEEP} checkpoints are kept.
 */
public final class CheckpointStore {
    public static final String LATEST = "LATEST";
    public static final int KEEP = 2;

    private final Path dir;
    private final Configuration conf;

    public CheckpointStore(String dir, Configuration conf) {
        this.dir = new Path(dir);
        this.conf = conf;
    }

    public String dir() {
        return dir.toString();
    }

    /** True when a complete checkpoint exists. */
    public boolean hasCheckpoint() {
        return HadoopFiles.exists(new Path(dir, LATEST), conf);
    }

    /** The round directory LATEST points at, e.g. round-00000012. */
    public String latestName() {
        return new String(HadoopFiles.read(new Path(dir, LATEST), conf), StandardCharsets.UTF_8).trim();
    }

    /** Writes the state as round-NNNNNNNN (NNNNNNNN = rounds done) and points LATEST at it. */
    public void write(TrainingState state) {
        String name = String.format("round-%08d", state.roundsDone);
        Path staging = new Path(dir, "_writing-" + name);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        try {
            fs.delete(staging, true);
            state.writeCheckpoint(staging.toString(), conf); // staging/round-N/... and staging/LATEST
            Path target = new Path(dir, name);
            fs.delete(target, true);
            if (!fs.rename(new Path(staging, name), target)) {
                throw new IOException("rename into " + target + " failed");
            }
            fs.delete(staging, true);
            HadoopFiles.writeAtomically(new Path(dir, LATEST), name.getBytes(StandardCharsets.UTF_8), conf);
            prune(fs, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + name + " under " + dir, e);
        }
    }

    /** Deletes all but the newest KEEP round directories (never the one LATEST names). */
    private void prune(FileSystem fs, String latest) throws IOException {
        FileStatus[] rounds = fs.listStatus(dir, p -> p.getName().startsWith("round-"));
        Arrays.sort(
                rounds,
                Comparator.comparing((FileStatus s) -> s.getPath().getName()).reversed());
        for (int i = KEEP; i < rounds.length; i++) {
            if (!rounds[i].getPath().getName().equals(latest)) {
                fs.delete(rounds[i].getPath(), true);
            }
        }
    }
}
