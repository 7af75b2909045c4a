package topksae.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import scala.Option;

/**
 * Turns the params of a Spark ML stage into job settings, so the command line and the
 * {@code spark.topksae.*} properties follow the estimator exactly: same names, same defaults,
 * same validators.
 */
public final class ParamSettings {
    private ParamSettings() {}

    /** One setting per param of a supported type (string, int, long, float, double, boolean). */
    public static List<Setting> of(Params stage, String group) {
        List<Setting> out = new ArrayList<>();
        for (Param<?> p : stage.params()) {
            Setting.Kind kind = kindOf(p);
            if (kind != null) {
                out.add(new Setting(p.name(), kind, defaultOf(stage, p), p.doc(), group, checkOf(p, kind)));
            }
        }
        return out;
    }

    /** Sets a parsed value on the stage, converted to the param's own type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void apply(Params stage, String name, Object value) {
        Param p = stage.getParam(name);
        stage.set(p, convert(p, value));
    }

    static Setting.Kind kindOf(Param<?> p) {
        if (p instanceof IntParam) {
            return Setting.Kind.INT;
        }
        if (p instanceof LongParam) {
            return Setting.Kind.LONG;
        }
        if (p instanceof DoubleParam || p instanceof FloatParam) {
            return Setting.Kind.DOUBLE;
        }
        if (p instanceof BooleanParam) {
            return Setting.Kind.BOOLEAN;
        }
        if (p.getClass() == Param.class) {
            return Setting.Kind.STRING; // plain Param<String> in the stages this job runs
        }
        return null;
    }

    private static String defaultOf(Params stage, Param<?> p) {
        Option<?> d = stage.getDefault(p);
        return d.isDefined() ? String.valueOf(d.get()) : "";
    }

    private static Object convert(Param<?> p, Object value) {
        if (p instanceof FloatParam) {
            return ((Number) value).floatValue();
        }
        return value;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Setting.Check checkOf(Param<?> p, Setting.Kind kind) {
        return value -> {
            Object v = convert(p, value);
            boolean ok;
            try {
                ok = (Boolean) ((Param) p).isValid().apply(v);
            } catch (ClassCastException e) {
                ok = false;
            }
            return ok ? null : "invalid value (" + p.doc() + ")";
        };
    }
}
