package topksae.model;

import org.nd4j.linalg.factory.Nd4j;

/** Checks the requested device against the ND4J backend; never falls back silently. */
public final class Devices {
    private Devices() {}

    public static String check(String device) {
        String d = device == null ? "cpu" : device.toLowerCase(java.util.Locale.ROOT);
        switch (d) {
            case "cpu":
                return d;
            case "cuda":
            case "gpu":
                if (Nd4j.getEnvironment().isCPU()) {
                    throw new IllegalStateException(
                            "device '" + device + "' requested, but ND4J runs on the CPU backend ("
                                    + Nd4j.getBackend().getClass().getSimpleName()
                                    + "): build with -Pcuda (nd4j-cuda-11.6) "
                                    + "on a machine with a supported NVIDIA GPU and CUDA 11.6 libraries, or use device \"cpu\"");
                }
                return d;
            default:
                throw new IllegalArgumentException("unknown device '" + device + "', use cpu, cuda or gpu");
        }
    }
}
