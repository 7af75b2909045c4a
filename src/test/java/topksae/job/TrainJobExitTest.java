package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit entry point as a user meets it: a bad row ends the job with exit 1 and one line. */
class TrainJobExitTest {
    @TempDir
    File tmp;

    @Test
    void aBadRowEndsTheJobWithTheOneLineCause() {
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-exit")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(RowFactory.create(i == 7 ? null : (Object) new Float[] {(float) i, 1f, -i / 3f, 2f}));
        }
        String input = new File(tmp, "acts").getPath();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(input);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TrainJob.run(
                new String[] {
                    "--input",
                    input,
                    "--output",
                    new File(tmp, "out").getPath(),
                    "--nb-concepts",
                    "8",
                    "--top-k",
                    "2",
                    "--batch-size",
                    "16",
                    "--num-workers",
                    "1"
                },
                Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)); // stops the session it got
        String lines = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code);
        assertEquals(1, lines.lines().count(), lines);
        assertTrue(lines.startsWith("error: invalid row 7 of input partition 0 (file "), lines);
        assertTrue(
                lines.contains(".parquet) in column 'features': a null value") && lines.contains("handleInvalid=skip"),
                lines);
    }
}
