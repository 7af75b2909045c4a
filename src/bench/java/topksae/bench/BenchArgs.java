package topksae.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** "--name value" options with defaults, for the benchmark mains. */
public final class BenchArgs {
    private final Map<String, String> values = new LinkedHashMap<>();

    public BenchArgs(String[] args, String... defaults) {
        for (int i = 0; i + 1 < defaults.length; i += 2) {
            values.put(defaults[i], defaults[i + 1]);
        }
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !values.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unknown or incomplete option " + args[i] + "; options: " + values);
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    public int i(String name) {
        return Integer.parseInt(values.get(name));
    }

    public String s(String name) {
        return values.get(name);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
