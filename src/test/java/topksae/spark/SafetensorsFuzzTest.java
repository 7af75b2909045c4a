package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import topksae.io.MalformedSafetensorsException;
import topksae.io.SafetensorsFile;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/**
 * Hostile files against the one safetensors codec and the model / checkpoint loaders: random
 * truncations, bit flips, byte overwrites and header edits of a real saved model and a real
 * checkpoint. Each case is refused with MalformedSafetensorsException, or read as exactly what its
 * bytes say; no case allocates much more than the file's size.
 */
class SafetensorsFuzzTest {
    private static final int CASES = 3000;
    private static final long[] HOSTILE = {-1, 0, 1, 7, 1L << 31, 1L << 40, Long.MAX_VALUE, -8, 1L << 62};
    private static final String PUNCT = "{}[]\",:0123456789-e ";
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private interface Loader {
        Object load(SafetensorsFile f) throws MalformedSafetensorsException;
    }

    @Test
    void mutatedModelFilesAreRefusedOrReadAsWritten() throws Exception {
        TopKSAEModel model =
                new TopKSAEModel("m", config(), SAE.fromConfig(config()).flatState(), new float[16]);
        fuzz(bytes(ModelPersistence.contents(model)), f -> ModelPersistence.fromFile(f, "m"), 1);
    }

    @Test
    void mutatedCheckpointsAreRefusedOrReadAsWritten() throws Exception {
        float[] state = ModelState.of(SAE.fromConfig(config()));
        TrainingState s = new TrainingState(
                config(),
                state,
                new float[2 * state.length + 1],
                null,
                null,
                0,
                3,
                3,
                12_345,
                new long[config().nbConcepts]);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fuzz-ckpt");
        s.writeCheckpoint(dir.toString(), new org.apache.hadoop.conf.Configuration());
        byte[] file =
                java.nio.file.Files.readAllBytes(dir.resolve("round-00000003").resolve("state.safetensors"));
        fuzz(file, TrainingState::fromFile, 2);
    }

    private void fuzz(byte[] original, Loader loader, long seed) throws Exception {
        Random rnd = new Random(seed);
        int refused = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < CASES; i++) {
            byte[] m = mutate(original, rnd, i % 5);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                SafetensorsFile f = SafetensorsFile.read("case-" + i, new ByteArrayInputStream(m), m.length);
                assertReadAsWritten(f, m);
                loader.load(f);
            } catch (MalformedSafetensorsException e) {
                assertTrue(e.getMessage().startsWith("case-" + i), "error names the file: " + e.getMessage());
                refused++;
            } catch (Throwable e) {
                fail("case " + i + " (mutation " + i % 5 + ") threw " + e, e);
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(
                    allocated < 64L * m.length + (8 << 20),
                    "case " + i + " allocated " + allocated + " bytes for a file of " + m.length);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(refused > CASES / 2, "most mutations are refused (" + refused + " of " + CASES + ")");
        assertTrue(seconds < 60, CASES + " cases took " + seconds + " s");
    }

    /** A file that was accepted re-encodes to a file that reads back equal, and its data fills the rest. */
    private static void assertReadAsWritten(SafetensorsFile f, byte[] m) throws Exception {
        long header = ByteBuffer.wrap(m, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long data =
                f.tensors().values().stream().mapToLong(t -> t.data().length).sum();
        assertEquals(m.length - 8 - header, data);
        int at = (int) (8 + header);
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        List<byte[]> inOrder = new ArrayList<>();
        f.tensors().values().forEach(t -> inOrder.add(t.data()));
        for (byte[] b : inOrder) {
            concat.write(b);
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(m, at, m.length), concat.toByteArray());
        SafetensorsFile again = SafetensorsFile.read("again", new ByteArrayInputStream(bytes(f)), bytes(f).length);
        assertEquals(f.tensors(), again.tensors());
        assertEquals(f.metadata(), again.metadata());
    }

    private static byte[] mutate(byte[] src, Random rnd, int kind) {
        byte[] m = src.clone();
        int headerEnd = 8
                + (int) ByteBuffer.wrap(src, 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        switch (kind) {
            case 0 -> {
                return java.util.Arrays.copyOf(src, rnd.nextInt(src.length));
            }
            case 1 -> {
                int flips = 1 + rnd.nextInt(3);
                for (int j = 0; j < flips; j++) {
                    int at = rnd.nextInt(rnd.nextBoolean() ? headerEnd : src.length);
                    m[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 2 ->
                ByteBuffer.wrap(m, 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, rnd.nextBoolean() ? HOSTILE[rnd.nextInt(HOSTILE.length)] : rnd.nextLong());
            case 3 -> {
                return editHeader(src, headerEnd, rnd);
            }
            default -> m[8 + rnd.nextInt(headerEnd - 8)] = (byte) PUNCT.charAt(rnd.nextInt(PUNCT.length()));
        }
        return m;
    }

    /** Replaces one number, key or dtype of the JSON header; keeps the length field right. */
    private static byte[] editHeader(byte[] src, int headerEnd, Random rnd) {
        String h = new String(src, 8, headerEnd - 8, StandardCharsets.UTF_8);
        String[] edits = {"\"F32\"", "\"I64\"", "\"shape\"", "\"data_offsets\"", "\"dtype\""};
        String[] with = {"\"F64\"", "\"X9\"", "\"shapes\"", "\"offsets\"", "\"dtype\":\"F16\",\"x\""};
        String out;
        if (rnd.nextBoolean()) {
            java.util.regex.Matcher num =
                    java.util.regex.Pattern.compile("\\d+").matcher(h);
            List<int[]> spans = new ArrayList<>();
            while (num.find()) {
                spans.add(new int[] {num.start(), num.end()});
            }
            int[] s = spans.get(rnd.nextInt(spans.size()));
            long v = HOSTILE[rnd.nextInt(HOSTILE.length)];
            out = h.substring(0, s[0]) + (rnd.nextBoolean() ? v : rnd.nextInt(100_000)) + h.substring(s[1]);
        } else {
            int e = rnd.nextInt(edits.length);
            out = h.replaceFirst(
                    java.util.regex.Pattern.quote(edits[e]), java.util.regex.Matcher.quoteReplacement(with[e]));
        }
        byte[] header = out.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + header.length + src.length - headerEnd).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(src, headerEnd, src.length - headerEnd);
        return b.array();
    }

    private static byte[] bytes(SafetensorsFile f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.write(out);
        return out.toByteArray();
    }

    private static SAEConfig config() {
        SAEConfig c = new SAEConfig();
        c.inputShape = new int[] {16};
        c.nbConcepts = 32;
        c.topK = 4;
        return c;
    }

    @Test
    void contentsRoundTripThroughTheLoader() throws Exception {
        SAE sae = SAE.fromConfig(config());
        TopKSAEModel model = new TopKSAEModel("m", config(), ModelState.of(sae), null);
        SafetensorsFile f = ModelPersistence.contents(model);
        byte[] b = bytes(f);
        TopKSAEModel back =
                ModelPersistence.fromFile(SafetensorsFile.read("x", new ByteArrayInputStream(b), b.length), "m");
        assertArrayEquals(model.flatState(), back.flatState());
    }
}
