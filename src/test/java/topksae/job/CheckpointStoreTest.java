package topksae.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.spark.TrainingState;

class CheckpointStoreTest {
    @TempDir
    File tmp;

    private static TrainingState state(int rounds, float value) {
        SAEConfig c = new SAEConfig();
        c.inputShape = new int[] {4};
        c.nbConcepts = 8;
        c.topK = 2;
        float[] weights = new float[SAE.fromConfig(c).flatState().length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = value + i;
        }
        return new TrainingState(c, weights, null, null, null, 0, rounds, rounds, rounds * 100L, new long[8]);
    }

    @Test
    void aCrashWhileWritingLeavesThePreviousCheckpoint() throws Exception {
        Configuration conf = new Configuration();
        CheckpointStore store = new CheckpointStore(tmp.getPath(), conf);
        assertFalse(store.hasCheckpoint());
        store.write(state(3, 1f));
        // a later write died half way: its staging directory holds a truncated file
        File staging = new File(tmp, "_writing-round-00000006/round-00000006");
        staging.mkdirs();
        Files.write(new File(staging, "state.safetensors").toPath(), new byte[] {1, 2, 3});
        assertEquals("round-00000003", store.latestName());
        TrainingState back = TrainingState.readCheckpoint(tmp.getPath(), conf);
        assertEquals(3, back.roundsDone);
        assertArrayEquals(state(3, 1f).state, back.state);

        store.write(state(6, 7f)); // the retry replaces the debris
        assertEquals("round-00000006", store.latestName());
        assertArrayEquals(state(6, 7f).state, TrainingState.readCheckpoint(tmp.getPath(), conf).state);
        assertFalse(new File(tmp, "_writing-round-00000006").exists());
    }

    @Test
    void keepsTheNewestTwo() {
        CheckpointStore store = new CheckpointStore(tmp.getPath(), new Configuration());
        for (int r = 1; r <= 5; r++) {
            store.write(state(r, r));
        }
        String[] rounds = tmp.list((d, n) -> n.startsWith("round-"));
        java.util.Arrays.sort(rounds);
        assertArrayEquals(new String[] {"round-00000004", "round-00000005"}, rounds);
        assertTrue(new File(tmp, "LATEST").isFile());
    }
}
