package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit whose round state is large against the driver's heap, in a JVM of its own with a small
 * -Xmx (local[2], so the workers share that heap): d 256 x 16384 concepts, 2 workers, Adam moments
 * averaged, a 101 MB state per round in a 768 MB heap. Shipping whole states as task results and
 * collecting them on the driver needed several copies of the state at once and ran out of heap
 * at this ratio; chunked rounds fit.
 */
class SmallHeapFitTest {
    static final int DIM = 256;
    static final int CONCEPTS = 16384;

    @Test
    void twoWorkersTrainAStateOfAnEighthOfTheHeap(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-Xmx768m",
                "-Dtopksae.memoryCheck=off",
                "-Dorg.bytedeco.javacpp.maxbytes=4G",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("--add-exports")) {
                cmd.add(a);
            }
        }
        Path result = dir.resolve("result.txt");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(), result.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "child JVM did not finish");
        String log = Files.readString(dir.resolve("child.log"));
        assertEquals(0, p.exitValue(), log.substring(Math.max(0, log.length() - 4000)));
        String[] r = Files.readString(result, StandardCharsets.UTF_8).trim().split(" ");
        assertEquals(2, Integer.parseInt(r[0]), "rounds");
        for (int i = 1; i <= 2; i++) {
            double fvu = Double.parseDouble(r[i]);
            assertTrue(Double.isFinite(fvu) && fvu < 1.0, "round fvu finite and below 1: " + String.join(" ", r));
        }
    }

    /** The child JVM: fits, writes "rounds lastFvu firstFvu". */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            SparkSession spark = SparkTestSupport.session();
            SparkTestSupport.Synthetic data = new SparkTestSupport.Synthetic(DIM, 512, 8, 256, 0.01, 3);
            TopKSAETrainingSummary s = new TopKSAEEstimator()
                    .setNbConcepts(CONCEPTS)
                    .setTopK(16)
                    .setBatchSize(64)
                    .setBatchScope("worker")
                    .setLocalSteps(1)
                    .setNumWorkers(2)
                    .setMaxEpochs(1)
                    .setLearningRate(1e-3)
                    .fit(SparkTestSupport.frame(spark, data.rows, 2))
                    .summary();
            List<RoundRecord> r = s.rounds();
            Files.writeString(
                    Path.of(args[0]),
                    r.size() + " " + s.last().fvu() + " " + r.get(0).fvu());
            spark.stop();
        }
    }
}
