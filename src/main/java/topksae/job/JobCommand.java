package topksae.job;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParseResult;

/**
 * The job's command line: every {@link Setting} becomes a flag, listed by {@code --help} with its
 * property name and default. Values resolve as flag, then {@code spark.topksae.*} property
 * (from {@code --properties-file} or {@code --conf}), then the built-in default.
 */
public final class JobCommand {
    public static final String NAME = "topksae.job.TrainJob";

    private final List<Setting> settings;

    public JobCommand(List<Setting> settings) {
        this.settings = settings;
    }

    /**
     * What the command line asked for: help text, or resolved values by setting name (null =
     * unset) and the names given explicitly by a flag or a property.
     */
    public record Parsed(String help, Map<String, Object> values, java.util.Set<String> explicit) {
        public boolean helpRequested() {
            return help != null;
        }
    }

    /** Parses flags and properties; throws {@link SettingException} naming any bad setting. */
    public Parsed parse(String[] args, Map<String, String> sparkProperties) {
        CommandLine cli = commandLine();
        ParseResult result;
        try {
            result = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new SettingException(e.getMessage());
        }
        if (result.isUsageHelpRequested()) {
            return new Parsed(cli.getUsageMessage(CommandLine.Help.Ansi.OFF), Map.of(), Set.of());
        }
        rejectUnknownProperties(sparkProperties);
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> explicit = new TreeSet<>();
        for (Setting s : settings) {
            boolean flag = result.hasMatchedOption(s.flag());
            if (flag || sparkProperties.containsKey(s.property())) {
                explicit.add(s.name());
            }
            String raw = flag
                    ? result.matchedOptionValue(s.flag(), "")
                    : sparkProperties.getOrDefault(s.property(), s.defaultValue());
            values.put(s.name(), s.parse(raw));
        }
        return new Parsed(null, values, explicit);
    }

    /** The full usage text, as {@code --help} prints it. */
    public String usage() {
        StringWriter out = new StringWriter();
        commandLine().usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out.toString();
    }

    private void rejectUnknownProperties(Map<String, String> sparkProperties) {
        TreeSet<String> known = new TreeSet<>();
        settings.forEach(s -> known.add(s.property()));
        for (String key : sparkProperties.keySet()) {
            if (key.startsWith(Setting.PREFIX) && !known.contains(key)) {
                throw new SettingException("unknown setting " + key + "; known settings: " + String.join(", ", known));
            }
        }
    }

    /** The parser: a repeated flag takes its last value; help lists the options by group. */
    private CommandLine commandLine() {
        CommandLine cli = new CommandLine(spec());
        cli.setOverwrittenOptionsAllowed(true);
        cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, this::optionList);
        return cli;
    }

    private String optionList(CommandLine.Help help) {
        StringBuilder out = new StringBuilder();
        Map<String, CommandLine.Help.Layout> groups = new LinkedHashMap<>();
        CommandLine.Help.Layout general = help.createDefaultLayout();
        for (OptionSpec o : help.commandSpec().options()) {
            Setting s = settings.stream()
                    .filter(x -> x.flag().equals(o.longestName()))
                    .findFirst()
                    .orElse(null);
            CommandLine.Help.Layout layout =
                    s == null ? general : groups.computeIfAbsent(s.group(), g -> help.createDefaultLayout());
            layout.addOption(o, help.createDefaultParamLabelRenderer());
        }
        out.append(general);
        groups.forEach((g, layout) -> out.append(System.lineSeparator())
                .append(g)
                .append(':')
                .append(System.lineSeparator())
                .append(layout));
        return out.toString();
    }

    private CommandSpec spec() {
        CommandSpec spec = CommandSpec.create();
        spec.name("spark-submit --class " + NAME + " topk-sae-spark-<version>-job.jar");
        spec.mixinStandardHelpOptions(true);
        spec.version("topk-sae-spark " + version());
        spec.usageMessage()
                .description("Trains a TopK sparse autoencoder on activations in Parquet and writes the "
                        + "model, summary.json and an HTML report (inline SVG). Every flag is also the Spark property "
                        + "shown (spark.topksae.<name>), for --properties-file or --conf; a flag wins.")
                .width(100)
                .sortOptions(false)
                .abbreviateSynopsis(true);
        for (Setting s : settings) {
            spec.addOption(option(s));
        }
        return spec;
    }

    private static OptionSpec option(Setting s) {
        String shown = s.defaultValue().isEmpty() ? "(unset)" : s.defaultValue();
        OptionSpec.Builder b = (s.legacyFlag() == null
                        ? OptionSpec.builder(s.flag())
                        : OptionSpec.builder(s.flag(), s.legacyFlag()))
                .type(String.class)
                .paramLabel("<" + s.kind().name().toLowerCase() + ">")
                .description(
                        s.description().replace("%", "%%"),
                        "  property " + s.property() + ", default: " + shown.replace("%", "%%"));
        if (s.kind() == Setting.Kind.BOOLEAN) {
            b.arity("0..1").fallbackValue("true").paramLabel("<true|false>");
        }
        return b.build();
    }

    private static String version() {
        String v = JobCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
