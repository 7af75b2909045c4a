package topksae.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import topksae.job.ReportData.ConceptCard;
import topksae.job.ReportData.HeldOut;
import topksae.job.ReportData.Neighbour;
import topksae.job.ReportData.SettingRow;
import topksae.job.ReportData.TopRow;

/** A report's data as a run of 20 rounds would give it, with text on the concept rows. */
final class ReportFixture {
    private ReportFixture() {}

    static ReportData data() {
        List<RoundStats> rounds = new ArrayList<>();
        for (int r = 1; r <= 20; r++) {
            rounds.add(new RoundStats(
                    r,
                    r * 4096L,
                    1.0 / r,
                    0.9 / Math.sqrt(r),
                    8 + 8.0 / r,
                    0.3 / r,
                    0.2 / r,
                    4096,
                    5e4 + 1e3 * (r % 3),
                    0.08));
        }
        long[] counts = new long[64];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = i < 5 ? 0 : (long) Math.pow(1.2, i % 40);
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("input", "hdfs://nn/acts <b>");
        facts.put("nbConcepts", "64");
        facts.put("inputDim", "16");
        facts.put("topK", "8");
        List<SettingRow> settings = List.of(
                new SettingRow("nbConcepts", "64", "model", "dictionary size"),
                new SettingRow("batchSize", "256", "given", "rows per local step"),
                new SettingRow("clipGrad", "1.0", "default", "gradient clipping"));
        List<ConceptCard> cards = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            List<TopRow> top = new ArrayList<>();
            for (int j = 0; j < 5; j++) {
                top.add(new TopRow(
                        2.5 - 0.3 * j,
                        "doc " + (c * 10 + j) + ", position " + j,
                        "how are you doing on this",
                        "fine" + c,
                        "day & night <ok>"));
            }
            List<Neighbour> near =
                    List.of(new Neighbour((c + 1) % 64, 0.81, 0.02), new Neighbour((c + 7) % 64, 0.42, 1e-4));
            cards.add(new ConceptCard(
                    c < 3 ? ReportConcepts.MOST : ReportConcepts.LEAST,
                    10 + c,
                    900 - 150L * c,
                    (900 - 150.0 * c) / 4096,
                    1.7,
                    top,
                    near));
        }
        return new ReportData(
                facts,
                settings,
                rounds,
                new FiringStats(4096, counts),
                new HeldOut("0.1 of the input held out, seed 42", 410, Map.of("fvu", 0.31, "l0", 8.0)),
                cards);
    }
}
