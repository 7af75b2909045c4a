package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.BatchTopKSAE;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.train.TrainConfig;
import topksae.train.Trainer;

/** The chunked start state of a round: chunks serialize their range, and load into ND4J as the full-array loads do. */
class StateBroadcastTest {
    static SAEConfig config(int seed) {
        SAEConfig c = new SAEConfig();
        c.variant = "batchtopk";
        c.inputShape = new int[] {8};
        c.nbConcepts = 24;
        c.topK = 3;
        c.encoder = "linear";
        c.normalization = "l2";
        c.seed = seed;
        return c;
    }

    @Test
    void aChunkSerializesOnlyItsRangeOfTheDriversArray() throws Exception {
        float[] state = new float[1000];
        for (int i = 0; i < state.length; i++) {
            state[i] = i * 0.5f - 7;
        }
        StateBroadcast.Chunk c = new StateBroadcast.Chunk(0, state, 300, 450);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        StateBroadcast.Chunk back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (StateBroadcast.Chunk) in.readObject();
        }
        assertEquals(450, back.array().length, "the copy owns exactly its range");
        assertEquals(0, back.arrayOffset());
        assertEquals(300, back.offset);
        assertArrayEquals(java.util.Arrays.copyOfRange(state, 300, 750), back.array());
        assertEquals(true, bytes.size() < 450 * 4 + 400, "raw floats, not the whole array: " + bytes.size());
    }

    @Test
    void chunksLoadTheSameModelAndMomentsAsTheFullLoads() {
        SAE src = SAE.fromConfig(config(5));
        src.train();
        Trainer srcTrainer = new Trainer(src, new TrainConfig());
        for (int i = 0; i < 3; i++) {
            srcTrainer.step(Nd4j.rand(DataType.FLOAT, 16, 8));
        }
        ((BatchTopKSAE) src).setRunningThreshold(0.25);
        float[] state = ModelState.of(src);
        float[] opt = srcTrainer.optimizer().flatState();

        SAE dst = SAE.fromConfig(config(9));
        dst.train();
        Trainer dstTrainer = new Trainer(dst, new TrainConfig());
        FlatView model = FlatView.model(dst);
        FlatView moments = FlatView.adam(dstTrainer.optimizer());
        StateBroadcast.direct(state, opt, 37).loadInto(model, moments); // chunks cross the tensors' ends
        float t = model.tail()[0];
        ((BatchTopKSAE) dst).setRunningThreshold(t < 0 ? null : (double) t);
        dstTrainer.optimizer().setStepCount(Math.round(moments.tail()[0]));

        assertArrayEquals(state, ModelState.of(dst));
        assertArrayEquals(opt, dstTrainer.optimizer().flatState());
        assertEquals(3, dstTrainer.optimizer().stepCount());
    }

    @Test
    void withoutMomentsOnlyTheModelIsWritten() {
        SAE src = SAE.fromConfig(config(5));
        float[] state = ModelState.of(src);
        SAE dst = SAE.fromConfig(config(9));
        Trainer dstTrainer = new Trainer(dst, new TrainConfig());
        float[] before = dstTrainer.optimizer().flatState();
        StateBroadcast.direct(state, null, 50).loadInto(FlatView.model(dst), null);
        assertArrayEquals(
                java.util.Arrays.copyOf(state, state.length - 1),
                java.util.Arrays.copyOf(ModelState.of(dst), state.length - 1));
        assertArrayEquals(before, dstTrainer.optimizer().flatState());
    }
}
