package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job reads Parquet activations from HDFS (a MiniDFSCluster on 127.0.0.1) and writes there. */
class HdfsInputTest {
    @TempDir
    static File base;

    private static MiniDFSCluster hdfs;
    private static SparkSession spark;
    private static String root;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        for (String key : new String[] {
            "dfs.datanode.address",
            "dfs.datanode.http.address",
            "dfs.datanode.ipc.address",
            "dfs.namenode.http-address",
            "dfs.namenode.secondary.http-address"
        }) {
            conf.set(key, "127.0.0.1:0");
        }
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-hdfs-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void trainsFromParquetOnHdfs() throws Exception {
        String input = root + "/activations/layer6";
        SyntheticActivations.generate(spark, new SyntheticActivations.Spec(1024, 12, 24, 2, 3, 7), "x")
                .write()
                .parquet(input);
        String out = root + "/runs/sae";
        JobRun.Result r = TrainJob.runIn(
                spark,
                new String[] {
                    "--input",
                    input,
                    "--input-col",
                    "x",
                    "--output",
                    out,
                    "--nb-concepts",
                    "32",
                    "--top-k",
                    "3",
                    "--batch-size",
                    "64",
                    "--local-steps",
                    "2",
                    "--checkpoint-interval",
                    "2"
                },
                Map.of());

        assertEquals(1024, r.tokens(), "one epoch over the HDFS rows");
        FileSystem fs = new Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration());
        assertTrue(fs.exists(new Path(out, "model/metadata")), "model saved on HDFS");
        assertTrue(fs.exists(new Path(out, "report/report.html")));
        assertTrue(fs.exists(new Path(out, "checkpoints/LATEST")));
        JsonNode summary = new ObjectMapper()
                .readTree(new String(
                        HadoopFiles.read(new Path(out, "summary.json"), fs.getConf()), StandardCharsets.UTF_8));
        assertEquals(input, summary.get("input").asText());
        assertEquals(12, summary.get("inputDim").asInt());
        assertEquals(1024, summary.get("training").get("validRows").asLong());
    }
}
