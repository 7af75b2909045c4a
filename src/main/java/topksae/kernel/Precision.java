package topksae.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Precision of the encoder GEMM: "float32", "bf16" (bf16 inputs, float32 output, through oneDNN)
 * or "auto". Top-k, loss, backward, Adam and the master weights are float32 either way. "auto"
 * resolves to bf16 where the CPU has AMX (amx_bf16, amx_tile) or AVX512-BF16 and oneDNN loads (on an
 * AVX512-BF16 CPU without AMX oneDNN's avx512_core_bf16 kernel still ran the GEMM ~2x faster than
 * float32; docs/training.md); "bf16" falls back to float32 where it cannot run. The system property
 * -Dtopksae.precision replaces "auto" (and so sets the default).
 */
public final class Precision {
    private static final Logger LOG = LoggerFactory.getLogger(Precision.class);
    private static String cpuFlags;
    private static Boolean oneDnn;
    private static String logged;

    private Precision() {}

    /** True when the encoder GEMM should run in bf16 for this setting on this machine (logged once). */
    public static boolean useBf16(String setting) {
        String s = normalize(setting);
        if ("auto".equals(s)) {
            s = normalize(System.getProperty("topksae.precision", "auto"));
        }
        boolean bf16;
        String why;
        if ("float32".equals(s)) {
            bf16 = false;
            why = "float32 selected";
        } else if ("bf16".equals(s)) {
            bf16 = hasBf16Isa() && oneDnnLoads();
            why = bf16
                    ? "bf16 selected, " + isa()
                    : "bf16 selected but unavailable (" + isa() + ", oneDNN "
                            + (oneDnnLoads() ? "loads" : "does not load") + "), float32 instead";
        } else {
            bf16 = hasBf16Isa() && oneDnnLoads();
            why = "auto, " + isa();
        }
        log((bf16 ? "bf16" : "float32") + " encoder GEMM (" + why + ")");
        return bf16;
    }

    /** "float32", "bf16" or "auto" (also accepts fp32 / bfloat16); anything else is an error. */
    public static String normalize(String setting) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "float32", "fp32", "float" -> {
                return "float32";
            }
            case "bf16", "bfloat16" -> {
                return "bf16";
            }
            case "auto", "" -> {
                return "auto";
            }
            default -> throw new IllegalArgumentException("precision must be float32, bf16 or auto, got " + setting);
        }
    }

    private static synchronized void log(String msg) {
        if (!msg.equals(logged)) {
            logged = msg;
            LOG.info(msg);
        }
    }

    private static String isa() {
        return hasAmx() ? "CPU has AMX" : hasBf16Isa() ? "CPU has AVX512-BF16, no AMX" : "CPU has no bf16 instructions";
    }

    /** The CPU flags line of /proc/cpuinfo ("" when unreadable). */
    static synchronized String cpuFlags() {
        if (cpuFlags == null) {
            cpuFlags = "";
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        cpuFlags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                        break;
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                LOG.debug("no /proc/cpuinfo: {}", e.toString());
            }
        }
        return cpuFlags;
    }

    public static boolean hasAmx() {
        return cpuFlags().contains(" amx_bf16 ") && cpuFlags().contains(" amx_tile ");
    }

    public static boolean hasBf16Isa() {
        return hasAmx() || cpuFlags().contains(" avx512_bf16 ");
    }

    /** True when oneDNN's native library loads in this JVM (tried once). */
    public static synchronized boolean oneDnnLoads() {
        if (oneDnn == null) {
            try {
                org.bytedeco.javacpp.Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                oneDnn = true;
            } catch (Throwable t) {
                LOG.warn("oneDNN does not load, bf16 GEMM unavailable: {}", t.toString());
                oneDnn = false;
            }
        }
        return oneDnn;
    }
}
