package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.clustering.KMeans;
import org.junit.jupiter.api.Test;

class JobCommandTest {
    private final KMeans stage = new KMeans();
    private final JobCommand command = new JobCommand(settings());

    private List<Setting> settings() {
        List<Setting> all = new ArrayList<>(JobSettings.all());
        all.addAll(ParamSettings.of(stage, "Estimator"));
        return all;
    }

    @Test
    void helpListsEverySettingWithPropertyAndDefault() {
        JobCommand.Parsed parsed = command.parse(new String[] {"--help"}, Map.of());
        assertTrue(parsed.helpRequested());
        for (Setting s : settings()) {
            assertTrue(parsed.help().contains("  " + s.flag()), "help misses " + s.flag());
            String shown = s.defaultValue().isEmpty() ? "(unset)" : s.defaultValue();
            assertTrue(
                    parsed.help().contains("property " + s.property() + ", default: " + shown),
                    "help misses the property/default of " + s.name() + "\n" + parsed.help());
        }
    }

    @Test
    void flagBeatsPropertyBeatsDefault() {
        Map<String, Object> v = command.parse(
                        new String[] {"--synthetic-rows", "100"},
                        Map.of("spark.topksae.syntheticRows", "50", "spark.topksae.syntheticDim", "8"))
                .values();
        assertEquals(100, v.get("syntheticRows"));
        assertEquals(8, v.get("syntheticDim"));
        assertEquals(256, v.get("syntheticAtoms"));
        assertEquals(Boolean.FALSE, v.get("resume"));
        assertNull(v.get("input"));
    }

    @Test
    void booleanFlagWithoutValueIsTrue() {
        Map<String, Object> v = command.parse(new String[] {"--resume", "--overwrite=false"}, Map.of())
                .values();
        assertEquals(Boolean.TRUE, v.get("resume"));
        assertEquals(Boolean.FALSE, v.get("overwrite"));
    }

    @Test
    void unknownFlagIsNamed() {
        SettingException e =
                assertThrows(SettingException.class, () -> command.parse(new String[] {"--nb-concept", "3"}, Map.of()));
        assertTrue(e.getMessage().contains("--nb-concept"), e.getMessage());
    }

    @Test
    void unknownPropertyIsNamed() {
        SettingException e = assertThrows(
                SettingException.class, () -> command.parse(new String[0], Map.of("spark.topksae.synthRows", "3")));
        assertTrue(e.getMessage().contains("spark.topksae.synthRows"), e.getMessage());
    }

    @Test
    void otherSparkPropertiesAreNotOurs() {
        command.parse(new String[0], Map.of("spark.executor.memory", "2g"));
    }

    @Test
    void invalidValuesAreNamed() {
        SettingException notInt = assertThrows(
                SettingException.class, () -> command.parse(new String[] {"--synthetic-rows", "many"}, Map.of()));
        assertTrue(notInt.getMessage().contains("--synthetic-rows"), notInt.getMessage());
        SettingException negative = assertThrows(
                SettingException.class, () -> command.parse(new String[0], Map.of("spark.topksae.syntheticDim", "-2")));
        assertTrue(negative.getMessage().contains("spark.topksae.syntheticDim"), negative.getMessage());
        assertTrue(negative.getMessage().contains("must be > 0"), negative.getMessage());
    }

    @Test
    void estimatorParamsFollowTheirValidators() {
        assertEquals(2, command.parse(new String[0], Map.of()).values().get("k"));
        SettingException e =
                assertThrows(SettingException.class, () -> command.parse(new String[] {"--k", "1"}, Map.of()));
        assertTrue(e.getMessage().contains("--k (spark.topksae.k)"), e.getMessage());
        Object tol =
                command.parse(new String[] {"--tol", "0.5"}, Map.of()).values().get("tol");
        ParamSettings.apply(stage, "tol", tol);
        assertEquals(0.5, stage.getTol());
    }

    @Test
    void positionalArgumentsAreRejected() {
        assertThrows(SettingException.class, () -> command.parse(new String[] {"data.parquet"}, Map.of()));
    }

    @Test
    void aRepeatedFlagTakesItsLastValue() {
        Map<String, Object> v = command.parse(new String[] {"--synthetic-rows", "5", "--synthetic-rows=7"}, Map.of())
                .values();
        assertEquals(7, v.get("syntheticRows"));
    }

    @Test
    void helpGroupsOptionsUnderHeadings() {
        String help = command.usage();
        int io = help.indexOf(JobSettings.IO + ":");
        int est = help.indexOf("Estimator:");
        assertTrue(io > 0 && est > io, help);
        assertTrue(help.indexOf("--output=") > io && help.indexOf("--output=") < est, help);
        assertTrue(help.indexOf("--k=") > est, help);
    }
}
