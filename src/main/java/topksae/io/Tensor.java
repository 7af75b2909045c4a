package topksae.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor of a safetensors file: element type, shape (row-major) and its raw little-endian
 * bytes. A shape of length 0 is a scalar with one element.
 */
public record Tensor(DType dtype, long[] shape, byte[] data) {

    public Tensor {
        shape = shape.clone();
        long n = numel(shape);
        if (Math.multiplyExact(n, (long) dtype.bytes()) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + n * dtype.bytes() + " bytes, got " + data.length);
        }
    }

    /** A float32 tensor holding {@code values} (copied). */
    public static Tensor f32(long[] shape, float[] values) {
        return of(DType.F32, shape, values);
    }

    /** A tensor of {@code dtype} holding {@code values}, converted element by element. */
    public static Tensor of(DType dtype, long[] shape, float[] values) {
        long n = numel(shape);
        if (n != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.bytes()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            dtype.put(b, i, values[i]);
        }
        return new Tensor(dtype, shape, b.array());
    }

    /** An int64 tensor holding {@code values} (copied). */
    public static Tensor i64(long[] shape, long[] values) {
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + numel(shape) + " values, got " + values.length);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(DType.I64, shape, b.array());
    }

    /** The values of an I64 tensor. */
    public long[] toLongs() {
        if (dtype != DType.I64) {
            throw new IllegalStateException("tensor of " + dtype + ", not I64");
        }
        long[] out = new long[(int) numel()];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /** Number of elements of a shape, with overflow and sign checks. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The values as float32 (exact for F32, F16, BF16 and small integers; F64 is rounded). */
    public float[] toFloats() {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) numel()];
        if (dtype == DType.F32) {
            b.asFloatBuffer().get(out);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) dtype.get(b, i);
        }
        return out;
    }

    /** The values as doubles (exact for every supported type except I64 beyond 2^53). */
    public double[] toDoubles() {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[(int) numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.get(b, i);
        }
        return out;
    }

    /** Fails with a message naming the tensor unless its shape is exactly {@code expected}. */
    public Tensor requireShape(String name, long... expected) throws MalformedSafetensorsException {
        if (!Arrays.equals(shape, expected)) {
            throw new MalformedSafetensorsException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", expected " + Arrays.toString(expected));
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t
                && t.dtype == dtype
                && Arrays.equals(t.shape, shape)
                && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
