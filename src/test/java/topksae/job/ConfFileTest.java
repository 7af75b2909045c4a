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
    Map<String, String> listed = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("conf/topk-sae.conf"))) {
      Matcher m = KEY.matcher(line.trim());
      if (m.matches()) {
        listed.put(m.group(1), m.group(2).trim());
      }
    }
    for (Setting s : TrainJob.settings()) {
      assertTrue(listed.containsKey(s.property()), "conf/topk-sae.conf misses " + s.property());
      assertEquals(s.defaultValue(), listed.get(s.property()), s.property());
    }
    assertEquals(TrainJob.settings().size(), listed.size(), "no unknown keys: " + listed.keySet());
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
