package topksae.job;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import topksae.spark.RoundListener;
import topksae.spark.TopKSAEEstimator;

/**
 * The spark-submit entry point:
 * <pre>
 * spark-submit --class topksae.job.TrainJob topk-sae-spark-0.1.0-job.jar --input hdfs:///acts --output hdfs:///runs/sae1
 * </pre>
 * Settings come from flags and from {@code spark.topksae.*} properties ({@code --properties-file
 * conf/topk-sae.conf}, {@code --conf}); all are checked before Spark starts. Exit codes: 0 done,
 * 2 bad settings, 1 failure.
 */
public final class TrainJob {
    /** Estimator params the job handles itself (atomic checkpoints, --resume). */
    static final Set<String> JOB_OWNED = Set.of("checkpointDir", "checkpointInterval", "resumeFrom");

    static final String TRAINING = "Training (params of topksae.spark.TopKSAEEstimator)";

    private TrainJob() {}

    public static void main(String[] args) {
        int code = run(args, sparkProperties(), System.out, System.err);
        if (code != 0 || !onDatabricks()) {
            System.exit(code); // Databricks wants a JAR task's main to return on success
        }
    }

    /** Databricks shares one SparkContext between tasks: never stop it there. */
    static boolean onDatabricks() {
        return System.getenv("DATABRICKS_RUNTIME_VERSION") != null;
    }

    /** Parses, checks, trains; returns the exit code. */
    public static int run(String[] args, Map<String, String> properties, PrintStream out, PrintStream err) {
        JobCommand.Parsed parsed;
        try {
            parsed = new JobCommand(settings()).parse(args, properties);
            if (!parsed.helpRequested()) {
                JobRun.check(parsed);
            }
        } catch (SettingException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println("Run with --help for every setting and its default.");
            return 2;
        }
        if (parsed.helpRequested()) {
            out.print(parsed.help());
            return 0;
        }
        SparkSession spark =
                SparkSession.builder().appName("topk-sae-spark train").getOrCreate();
        try {
            JobRun.Result r = new JobRun(spark, parsed, List.of()).run();
            r.print(out);
            return 0;
        } catch (IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage()); // one line: the cause and the fix (stack trace in the log)
            org.slf4j.LoggerFactory.getLogger(TrainJob.class).debug("job failed", e);
            return 1;
        } finally {
            if (!onDatabricks()) {
                spark.stop();
            }
        }
    }

    /** Every setting: the job's own, then the estimator's params (less those the job owns). */
    public static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(JobSettings.all());
        for (Setting s : ParamSettings.of(new TopKSAEEstimator(), TRAINING)) {
            if (!JOB_OWNED.contains(s.name())) {
                all.add(s);
            }
        }
        return all;
    }

    /** The spark.* properties spark-submit handed to this JVM (--properties-file, --conf). */
    static Map<String, String> sparkProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        for (Tuple2<String, String> kv : new SparkConf(true).getAll()) {
            props.put(kv._1(), kv._2());
        }
        return props;
    }

    /** For tests and embedding: run with extra round listeners on an existing session. */
    public static JobRun.Result runIn(
            SparkSession spark, String[] args, Map<String, String> properties, RoundListener... listeners) {
        JobCommand.Parsed parsed = new JobCommand(settings()).parse(args, properties);
        JobRun.check(parsed);
        return new JobRun(spark, parsed, List.of(listeners)).run();
    }
}
