package topksae.job;

import java.util.List;

/**
 * Renders conf/topk-sae.conf: a few Spark settings, then every job setting commented out at its
 * default with its description. Regenerate the file after adding or changing a setting:
 * <pre>
 * mvn -q compile exec:java -Dexec.classpathScope=compile -Dexec.mainClass=topksae.job.ConfTemplate \
 *     -Dexec.args=conf/topk-sae.conf
 * </pre>
 */
public final class ConfTemplate {
    private static final List<String> HEADER = List.of(
            "# topk-sae-spark job settings, as Spark properties: pass this file with",
            "#   spark-submit --properties-file conf/topk-sae.conf --class topksae.job.TrainJob <job jar> [flags]",
            "# or set single values with --conf spark.topksae.<name>=<value>. A command-line flag",
            "# (--nb-concepts 4096 for spark.topksae.nbConcepts) wins over this file. Every setting is listed",
            "# below, commented out at its default; `scripts/train.sh --help` prints the same list.",
            "# Unknown spark.topksae.* keys are rejected before the job starts.",
            "# Note: --properties-file replaces $SPARK_HOME/conf/spark-defaults.conf for that run; on a",
            "# cluster put the spark.* settings you need here (see conf/spark-defaults.conf.example).",
            "",
            "# ---- Spark ----",
            "spark.app.name                               topk-sae-spark train",
            "# Memory: enough for d 2048 x 32768 concepts with 2 workers in local[2] (the workers then live in",
            "# the driver's JVM). On a cluster size spark.executor.memory too (d 768 x 16384 needs ~1.5g). The",
            "# fit checks these before its first round and names the setting to raise; the formula is in",
            "# docs/spark.md (\"Memory needed per model size\").",
            "spark.driver.memory                          8g",
            "# ND4J keeps its arrays off the JVM heap; JavaCPP caps that memory at these values",
            "spark.driver.extraJavaOptions                -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G",
            "spark.executor.extraJavaOptions              -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=8G",
            "spark.ui.showConsoleProgress                 false");

    private ConfTemplate() {}

    public static String render(List<Setting> settings) {
        StringBuilder b = new StringBuilder();
        HEADER.forEach(l -> b.append(l).append('\n'));
        String group = null;
        for (Setting s : settings) {
            if (!s.group().equals(group)) {
                group = s.group();
                b.append("\n# ---- ").append(group).append(" ----\n");
            }
            b.append("# ").append(s.description()).append('\n');
            b.append(String.format("#%-42s %s", s.property(), s.defaultValue()).trim())
                    .append('\n');
        }
        return b.toString();
    }

    /** Writes the template to the file named by the first argument, or prints it. */
    public static void main(String[] args) throws java.io.IOException {
        String text = render(TrainJob.settings());
        if (args.length > 0) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), text);
        } else {
            System.out.print(text);
        }
    }
}
