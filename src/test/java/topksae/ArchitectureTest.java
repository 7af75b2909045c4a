package topksae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layer arrows of docs/architecture.md, checked over every source file of src/main/java:
 * job -> spark -> train -> model/kernel; io -> model; analysis -> model/kernel; nothing points
 * up. Every reference counts (imports, static imports, fully qualified names); comments and
 * string literals do not. A sub-package belongs to its top package's layer.
 */
class ArchitectureTest {

    /** Which top-level packages each layer may reference besides itself. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "model", Set.of(),
            "kernel", Set.of(),
            "train", Set.of("model", "kernel"),
            "io", Set.of("model"),
            "analysis", Set.of("model", "kernel"),
            "spark", Set.of("train", "io", "analysis", "model", "kernel"),
            "job", Set.of("spark", "train", "io", "analysis", "model", "kernel"));

    private static final Path MAIN = Paths.get("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\btopksae\\.([a-z][a-z0-9_]*)\\b");

    @Test
    void everyReferencePointsDown() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            violations.addAll(violations(layerOf(file), MAIN.relativize(file).toString(), Files.readString(file)));
        }
        assertEquals(List.of(), violations, "references that point up or sideways (see docs/architecture.md)");
    }

    @Test
    void everyPackageHasALayer() throws IOException {
        Set<String> layers = new TreeSet<>();
        for (Path file : sources()) {
            layers.add(layerOf(file));
        }
        assertTrue(layers.containsAll(Set.of("model", "kernel", "train", "spark", "job", "io")), "found " + layers);
        for (String layer : layers) {
            assertTrue(
                    ALLOWED.containsKey(layer),
                    "package topksae." + layer
                            + " has no place in ArchitectureTest.ALLOWED (and docs/architecture.md)");
        }
    }

    @Test
    void theScannerSeesEveryKindOfReference() {
        String source = String.join(
                "\n",
                "package topksae.io;",
                "import topksae.model.SAE;",
                "import static topksae.spark.TensorFile.read;",
                "/** Mentions topksae.job.TrainJob in a comment: not a reference. */",
                "class X { // topksae.train.Trainer in a line comment",
                "  String s = \"topksae.job.TrainJob\";",
                "  char c = '\"';",
                "  Object t = new topksae.train.Trainer(null, null);",
                "  String block = \"\"\"",
                "      topksae.job.JobRun",
                "      \"\"\";",
                "}");
        assertEquals(List.of("A.java -> topksae.spark", "A.java -> topksae.train"), violations("io", "A.java", source));
        assertEquals(List.of(), violations("job", "A.java", source));
    }

    /** "file -> topksae.x" for each package x that the source references and its layer may not. */
    static List<String> violations(String layer, String file, String source) {
        Set<String> referenced = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code(source));
        while (m.find()) {
            referenced.add(m.group(1));
        }
        referenced.remove(layer);
        referenced.removeAll(ALLOWED.getOrDefault(layer, Set.of()));
        return referenced.stream().map(p -> file + " -> topksae." + p).collect(Collectors.toList());
    }

    /** The source with comments, string literals (text blocks too) and char literals blanked out. */
    static String code(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int end = skipEnd(s, i);
            if (end > i) {
                out.append(' ');
                i = end;
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }

    /** If a comment or literal starts at i, the index just past it; else i. */
    private static int skipEnd(String s, int i) {
        if (s.startsWith("//", i)) {
            int nl = s.indexOf('\n', i);
            return nl < 0 ? s.length() : nl;
        }
        if (s.startsWith("/*", i)) {
            int close = s.indexOf("*/", i + 2);
            return close < 0 ? s.length() : close + 2;
        }
        if (s.startsWith("\"\"\"", i)) {
            int close = s.indexOf("\"\"\"", i + 3);
            return close < 0 ? s.length() : close + 3;
        }
        char c = s.charAt(i);
        if (c == '"' || c == '\'') {
            int j = i + 1;
            while (j < s.length() && s.charAt(j) != c) {
                j += s.charAt(j) == '\\' ? 2 : 1;
            }
            return Math.min(j + 1, s.length());
        }
        return i;
    }

    private static List<Path> sources() throws IOException {
        assertTrue(Files.isDirectory(MAIN.resolve("topksae")), "run from the project root: " + MAIN.toAbsolutePath());
        try (Stream<Path> files = Files.walk(MAIN.resolve("topksae"))) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    /** topksae/spark/fit/X.java -> "spark"; a file directly in topksae/ -> "". */
    private static String layerOf(Path file) {
        Path rel = MAIN.resolve("topksae").relativize(file);
        return rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
    }
}
