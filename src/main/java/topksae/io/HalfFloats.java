package topksae.io;

/** IEEE binary16 and bfloat16 conversions (round to nearest even), written out for Java 17. */
final class HalfFloats {
    private HalfFloats() {}

    static float f16ToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits >>> 15) << 31;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    static short floatToF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int e = (x >>> 23) & 0xFF;
        int m = x & 0x7FFFFF;
        if (e == 0xFF) {
            return (short) (sign | 0x7C00 | (m != 0 ? 0x200 : 0));
        }
        int exp = e - 127 + 15;
        if (exp >= 31) {
            return (short) (sign | 0x7C00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            return (short) (sign | roundShift(m | 0x800000, 14 - exp));
        }
        return (short) (sign | roundShift((exp << 23) | m, 13));
    }

    static short floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((x >>> 16) | 0x40);
        }
        return (short) ((x + 0x7FFF + ((x >>> 16) & 1)) >>> 16);
    }

    /** {@code v >> shift} rounded to nearest, ties to even. */
    private static int roundShift(int v, int shift) {
        int r = v >>> shift;
        int rem = v & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rem > half || (rem == half && (r & 1) == 1)) {
            r++;
        }
        return r;
    }
}
