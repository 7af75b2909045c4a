package topksae.io;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Element types of the safetensors format that this codec reads and writes. The declaration
 * order is the format's alignment order (smallest first); writers lay tensors out by descending
 * order, then by name, as the reference implementation does. All values are little-endian.
 */
public enum DType {
    BOOL(1),
    U8(1),
    I8(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    F64(8),
    I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The dtype named {@code name} in a header, or a clear error naming the tensor. */
    public static DType parse(String name, String tensor) throws MalformedSafetensorsException {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        String known = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
        throw new MalformedSafetensorsException(String.format(
                Locale.ROOT, "tensor '%s' has unsupported dtype '%s' (supported: %s)", tensor, name, known));
    }

    /** Reads element {@code i} of a little-endian buffer as a double (exact for every type but U64-range I64). */
    double get(ByteBuffer b, int i) {
        int at = i * bytes;
        switch (this) {
            case BOOL:
            case U8:
                return b.get(at) & 0xFF;
            case I8:
                return b.get(at);
            case I16:
                return b.getShort(at);
            case U16:
                return b.getShort(at) & 0xFFFF;
            case F16:
                return HalfFloats.f16ToFloat(b.getShort(at));
            case BF16:
                return Float.intBitsToFloat((b.getShort(at) & 0xFFFF) << 16);
            case I32:
                return b.getInt(at);
            case U32:
                return b.getInt(at) & 0xFFFFFFFFL;
            case F32:
                return b.getFloat(at);
            case F64:
                return b.getDouble(at);
            case I64:
                return b.getLong(at);
            default:
                throw new AssertionError(this);
        }
    }

    /** Writes element {@code i}; integer types must receive integral values in range. */
    void put(ByteBuffer b, int i, double v) {
        int at = i * bytes;
        switch (this) {
            case BOOL:
            case U8:
                b.put(at, (byte) checkedInt(v, 0, 255));
                break;
            case I8:
                b.put(at, (byte) checkedInt(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
                break;
            case I16:
                b.putShort(at, (short) checkedInt(v, Short.MIN_VALUE, Short.MAX_VALUE));
                break;
            case U16:
                b.putShort(at, (short) checkedInt(v, 0, 65535));
                break;
            case F16:
                b.putShort(at, HalfFloats.floatToF16((float) v));
                break;
            case BF16:
                b.putShort(at, HalfFloats.floatToBf16((float) v));
                break;
            case I32:
                b.putInt(at, (int) checkedInt(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                break;
            case U32:
                b.putInt(at, (int) checkedInt(v, 0, 0xFFFFFFFFL));
                break;
            case F32:
                b.putFloat(at, (float) v);
                break;
            case F64:
                b.putDouble(at, v);
                break;
            case I64:
                b.putLong(at, checkedInt(v, Long.MIN_VALUE, Long.MAX_VALUE));
                break;
            default:
                throw new AssertionError(this);
        }
    }

    private long checkedInt(double v, long lo, long hi) {
        if (v != Math.rint(v) || v < lo || v > hi) {
            throw new IllegalArgumentException(v + " is not representable as " + this);
        }
        return (long) v;
    }
}
