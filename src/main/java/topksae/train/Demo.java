package topksae.train;

import java.util.Locale;
import topksae.model.SAE;
import topksae.model.TopKSAE;

/** Trains a small TopK SAE on generated activations with a known sparse dictionary and prints metrics. */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        int dim = intArg(args, 0, 32);
        int atoms = intArg(args, 1, 96);
        int epochs = intArg(args, 2, 40);
        SyntheticData data = new SyntheticData(dim, atoms, 3, 32, 256, 0.01, 7);
        SAE sae = new TopKSAE(dim, 2 * atoms, 3);
        TrainConfig cfg = new TrainConfig();
        cfg.lr = 5e-3;
        System.out.printf(
                Locale.ROOT,
                "TopKSAE dim=%d concepts=%d k=3 on %d tokens from %d true atoms%n",
                dim,
                2 * atoms,
                32 * 256,
                atoms);
        new LocalTrainer(sae, cfg, System.out).train(data.batches, epochs);
        System.out.printf(
                Locale.ROOT,
                "true atoms recovered (cos >= 0.9): %.1f%%%n",
                100 * data.recovered(sae.eval().getDictionary(), 0.9));
    }

    private static int intArg(String[] args, int i, int def) {
        return args.length > i ? Integer.parseInt(args[i]) : def;
    }
}
