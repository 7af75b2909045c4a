package topksae.io;

import java.util.Set;
import java.util.TreeSet;

/** Shape, dtype and name checks shared by the layout readers. */
final class WeightsCheck {
    private WeightsCheck() {}

    /** The tensor's values as float32; rejects integer dtypes and wrong shapes with the tensor's name. */
    static float[] floats(SafetensorsFile f, String name, long... shape) throws MalformedSafetensorsException {
        Tensor t = f.require(name).requireShape(name, shape);
        switch (t.dtype()) {
            case F32:
            case F16:
            case BF16:
            case F64:
                return t.toFloats();
            default:
                throw new MalformedSafetensorsException("tensor '" + name + "' has dtype " + t.dtype()
                        + ", expected a floating-point type (F32, F16, BF16 or F64)");
        }
    }

    /** Fails when the file holds tensors other than {@code expected}. */
    static void onlyThese(SafetensorsFile f, String layout, Set<String> expected) throws MalformedSafetensorsException {
        Set<String> extra = new TreeSet<>(f.tensors().keySet());
        extra.removeAll(expected);
        if (!extra.isEmpty()) {
            throw new MalformedSafetensorsException(layout + " file has unexpected tensors " + extra
                    + " (expected exactly " + new TreeSet<>(expected) + ")");
        }
    }
}
