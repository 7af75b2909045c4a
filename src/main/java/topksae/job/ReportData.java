package topksae.job;

import java.util.List;
import java.util.Map;

/**
 * Everything the run report shows: the run's facts, the settings the model was trained with,
 * the rounds, the latent firing frequencies over a sample of rows, the held-out metrics (when an
 * evaluation split was given) and, for the most and least frequent concepts, their strongest rows
 * and nearest concepts.
 */
public record ReportData(
        Map<String, String> facts,
        List<SettingRow> settings,
        List<RoundStats> rounds,
        FiringStats firing,
        HeldOut heldOut,
        List<ConceptCard> concepts) {

    /** One training setting: its value, where the value came from, what it means. */
    public record SettingRow(String name, String value, String source, String doc) {}

    /** The metrics of TopKSAEEvaluator on rows held out of training, and which rows. */
    public record HeldOut(String rowsFrom, long rows, Map<String, Double> metrics) {}

    /** One concept of the report: how often it fired, its strongest rows, its nearest concepts. */
    public record ConceptCard(
            String group,
            int concept,
            long fires,
            double frequency,
            double meanActivation,
            List<TopRow> top,
            List<Neighbour> nearest) {}

    /**
     * A row that activated a concept: where it is, and its text when the input has one: the token
     * with the text before and after it in its document (empty when unknown).
     */
    public record TopRow(double activation, String where, String before, String token, String after) {}

    /** A concept whose dictionary row is close to another's, with its own firing frequency. */
    public record Neighbour(int concept, double cosine, double frequency) {}
}
