package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** conf/topk-sae.conf lists every setting at its default, and the job accepts the file as it is. */
class ConfFileTest {
    private static final Pattern KEY = Pattern.compile("^#?(spark\\.topksae\\.\\w+)\\s*(.*)$");

    @Test
    void listsEverySettingAtItsDefault() throws IOException {
        assertEquals(
                ConfTemplate.render(TrainJob.settings()),
                Files.readString(Path.of("conf/topk-sae.conf")),
                "conf/topk-sae.conf is out of date with the settings; regenerate it: mvn -q compile exec:java "
                        + "-Dexec.classpathScope=compile -Dexec.mainClass=topksae.job.ConfTemplate "
                        + "-Dexec.args=conf/topk-sae.conf");
    }

    @Test
    void everyKeyIsKnown() throws IOException {
        int keys = 0;
        for (String line : Files.readAllLines(Path.of("conf/topk-sae.conf"))) {
            Matcher m = KEY.matcher(line.trim());
            if (m.matches()) {
                String key = m.group(1);
                assertTrue(
                        TrainJob.settings().stream().anyMatch(s -> s.property().equals(key)), key);
                keys++;
            }
        }
        assertEquals(TrainJob.settings().size(), keys);
    }

    @Test
    void theFileParses() throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("conf/topk-sae.conf"))) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                String[] kv = t.split("\\s+", 2);
                props.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        new JobCommand(TrainJob.settings()).parse(new String[0], props);
    }
}
