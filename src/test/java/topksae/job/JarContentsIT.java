package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The product jars (the library jar and the shaded job jar) hold what users run and no
 * benchmark: the benches live in src/bench/java, compiled only by scripts/bench.sh.
 */
class JarContentsIT {
    private static final File JOB_JAR = new File(System.getProperty("topksae.jobJar"));
    private static final File LIB_JAR = new File(JOB_JAR.getPath().replace("-job.jar", ".jar"));

    @Test
    void jobJarHoldsTheJobAndNoBench() throws IOException {
        List<String> classes = projectClasses(JOB_JAR);
        assertTrue(classes.contains("topksae/job/TrainJob.class"), JOB_JAR + " lacks the job");
        assertTrue(classes.contains("topksae/spark/TopKSAEEstimator.class"), JOB_JAR + " lacks the estimator");
        assertEquals(List.of(), benches(classes), "bench classes in " + JOB_JAR);
    }

    /** The MLflow client rides along with its libraries relocated: none of Spark's own packages appear. */
    @Test
    void jobJarCarriesTheMlflowClientWithoutSparksLibraries() throws IOException {
        try (JarFile file = new JarFile(JOB_JAR)) {
            List<String> names = file.stream().map(e -> e.getName()).collect(Collectors.toList());
            assertTrue(names.contains("org/mlflow/tracking/MlflowClient.class"), JOB_JAR + " lacks the MLflow client");
            List<String> clashing = names.stream()
                    .filter(n -> n.endsWith(".class"))
                    .filter(n -> n.startsWith("com/google/protobuf/")
                            || n.startsWith("org/apache/http/")
                            || n.startsWith("com/fasterxml/jackson/")
                            || n.startsWith("com/google/common/")
                            || n.startsWith("com/google/gson/"))
                    .limit(5)
                    .collect(Collectors.toList());
            assertEquals(List.of(), clashing, "classes Spark's classpath has too");
        }
    }

    @Test
    void libraryJarHoldsNoBench() throws IOException {
        List<String> classes = projectClasses(LIB_JAR);
        assertTrue(classes.contains("topksae/model/TopKSAE.class"), LIB_JAR + " lacks the model");
        assertEquals(List.of(), benches(classes), "bench classes in " + LIB_JAR);
    }

    @Test
    void benchFilterRecognizesBenches() {
        List<String> names = List.of(
                "topksae/bench/Stats.class",
                "topksae/spark/SparkBench.class",
                "topksae/spark/SparkBench$1.class",
                "topksae/spark/TopKSAEModel.class",
                "topksae/kernel/Par.class");
        assertEquals(
                List.of(
                        "topksae/bench/Stats.class",
                        "topksae/spark/SparkBench.class",
                        "topksae/spark/SparkBench$1.class"),
                benches(names));
    }

    static List<String> benches(List<String> classes) {
        return classes.stream()
                .filter(c -> c.startsWith("topksae/bench/") || c.matches("topksae/.*Bench(\\$.*)?\\.class"))
                .collect(Collectors.toList());
    }

    private static List<String> projectClasses(File jar) throws IOException {
        assertTrue(jar.isFile(), "no jar at " + jar + " (run mvn verify)");
        try (JarFile file = new JarFile(jar)) {
            return file.stream()
                    .map(e -> e.getName())
                    .filter(n -> n.startsWith("topksae/") && n.endsWith(".class"))
                    .collect(Collectors.toList());
        }
    }
}
