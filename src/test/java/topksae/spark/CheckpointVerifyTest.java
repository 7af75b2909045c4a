package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/** Checkpoints carry their SHA-256 and length; resuming skips a corrupt or torn newest one, saying so. */
class CheckpointVerifyTest {
    private final Configuration conf = new Configuration();

    private static TrainingState state(int roundsDone, float fill) {
        SAEConfig c = new SAEConfig();
        c.inputShape = new int[] {8};
        c.nbConcepts = 16;
        c.topK = 2;
        float[] s = ModelState.of(SAE.fromConfig(c));
        java.util.Arrays.fill(s, fill);
        return new TrainingState(c, s, null, null, null, 0, roundsDone, roundsDone, 100L * roundsDone, new long[16]);
    }

    @Test
    void aCorruptNewestCheckpointFallsBackToTheNewestValidOne(@TempDir Path dir) throws Exception {
        state(1, 1f).writeCheckpoint(dir.toString(), conf);
        state(2, 2f).writeCheckpoint(dir.toString(), conf);
        Path newest = dir.resolve("round-00000002/state.safetensors");
        byte[] b = Files.readAllBytes(newest);
        b[b.length - 3] ^= 0x10; // one bit of the data: still a well-formed file
        Files.write(newest, b);
        Files.deleteIfExists(newest.resolveSibling(".state.safetensors.crc")); // as on stores without Hadoop's .crc
        TrainingState.Loaded l = TrainingState.load(dir.toString(), conf);
        assertEquals("round-00000001", l.round());
        assertEquals(1, l.state().roundsDone);
        assertEquals(1, l.skipped().size());
        assertTrue(l.skipped().get(0).contains("SHA-256"), l.skipped().get(0));
        assertEquals(1f, l.state().state[0]);
    }

    @Test
    void aTornNewestCheckpointIsSkippedAndNothingValidFails(@TempDir Path dir) throws Exception {
        state(1, 1f).writeCheckpoint(dir.toString(), conf);
        state(2, 2f).writeCheckpoint(dir.toString(), conf);
        Path newest = dir.resolve("round-00000002/state.safetensors");
        Files.write(newest, java.util.Arrays.copyOf(Files.readAllBytes(newest), 100));
        TrainingState.Loaded l = TrainingState.load(dir.toString(), conf);
        assertEquals("round-00000001", l.round());
        assertTrue(l.skipped().get(0).contains("bytes, expected"), l.skipped().get(0));
        Files.write(dir.resolve("round-00000001/state.safetensors"), new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> TrainingState.load(dir.toString(), conf));
        assertTrue(e.getMessage().startsWith("no valid checkpoint in"), e.getMessage());
    }

    @Test
    void anIntactCheckpointReadsBackExactly(@TempDir Path dir) throws Exception {
        TrainingState s = state(3, 0.5f);
        s.writeCheckpoint(dir.toString(), conf);
        TrainingState.Loaded l = TrainingState.load(dir.toString(), conf);
        assertEquals("round-00000003", l.round());
        assertTrue(l.skipped().isEmpty());
        assertArrayEquals(s.state, l.state().state);
        assertEquals(300L, l.state().tokensSeen);
        assertEquals(
                3,
                TrainingState.load(dir.resolve("round-00000003").toString(), conf)
                        .state()
                        .roundsDone);
    }
}
