package topksae.job;

import java.util.Locale;
import java.util.function.Function;

/**
 * One setting of the training job. It has a camelCase name, a Spark property
 * {@code spark.topksae.<name>} (so {@code --properties-file} and {@code --conf} work) and a
 * command-line flag {@code --kebab-name}. Values travel as strings and are parsed and checked by
 * {@link #parse}, which names the setting in every error.
 */
public final class Setting {
    /** Prefix of every job property. */
    public static final String PREFIX = "spark.topksae.";

    /** Value kinds; each knows how to parse a string. */
    public enum Kind {
        STRING(s -> s),
        INT(Integer::parseInt),
        LONG(Long::parseLong),
        DOUBLE(Double::parseDouble),
        BOOLEAN(Setting::parseBoolean);

        final Function<String, Object> parser;

        Kind(Function<String, Object> parser) {
            this.parser = parser;
        }
    }

    /** A check on a parsed value: returns null when fine, else what is wrong. */
    @FunctionalInterface
    public interface Check {
        String problem(Object value);
    }

    private final String name;
    private final Kind kind;
    private final String defaultValue;
    private final String description;
    private final String group;
    private final Check check;

    public Setting(String name, Kind kind, String defaultValue, String description, String group, Check check) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
        this.group = group;
        this.check = check == null ? v -> null : check;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The built-in default as a string; "" means unset (the estimator chooses). */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public String group() {
        return group;
    }

    public String property() {
        return PREFIX + name;
    }

    /** The kebab-case flag: a one-letter word stands alone ({@code auxKMode} is {@code --aux-k-mode}). */
    public String flag() {
        return "--"
                + name.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                        .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                        .toLowerCase(Locale.ROOT);
    }

    /** The flag's earlier spelling, where it differs ({@code --aux-kpenalty}), else null. */
    public String legacyFlag() {
        String old = "--" + name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        return old.equals(flag()) ? null : old;
    }

    /** Both spellings, for error messages. */
    public String label() {
        return flag() + " (" + property() + ")";
    }

    /** Parses and checks a raw value; "" stays null (unset). */
    public Object parse(String raw) {
        String s = raw == null ? "" : raw.trim();
        if (s.isEmpty()) {
            return null;
        }
        Object value;
        try {
            value = kind.parser.apply(s);
        } catch (RuntimeException e) {
            throw new SettingException(
                    label() + ": '" + raw + "' is not a valid " + kind.name().toLowerCase(Locale.ROOT));
        }
        String problem = check.problem(value);
        if (problem != null) {
            throw new SettingException(label() + ": " + problem + ", got '" + raw + "'");
        }
        return value;
    }

    private static Object parseBoolean(String s) {
        if (s.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (s.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException(s);
    }

    /** Common checks. */
    public static Check positive() {
        return v -> ((Number) v).doubleValue() > 0 ? null : "must be > 0";
    }

    public static Check nonNegative() {
        return v -> ((Number) v).doubleValue() >= 0 ? null : "must be >= 0";
    }

    public static Check oneOf(String... allowed) {
        return v ->
                java.util.Arrays.asList(allowed).contains(v) ? null : "must be one of " + String.join(", ", allowed);
    }
}
