package topksae.spark;

import java.util.Arrays;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The input column of activations: its accepted types (array&lt;float&gt;, array&lt;double&gt;, ML
 * Vector), the schema check, and the copy of one row into a float[] with its validity.
 */
final class InputColumn implements java.io.Serializable {
    enum Kind {
        FLOAT_ARRAY,
        DOUBLE_ARRAY,
        VECTOR
    }

    /** Why a row is invalid; null fields mean valid. */
    enum Problem {
        NULL_ROW,
        WRONG_LENGTH,
        NON_FINITE
    }

    final String name;
    final Kind kind;
    private static final VectorUDT VECTOR_UDT = new VectorUDT();

    private InputColumn(String name, Kind kind) {
        this.name = name;
        this.kind = kind;
    }

    /** Checks the column exists and has a supported type; the message names the column, its type and the fix. */
    static InputColumn of(StructType schema, String name) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("input column '" + name + "' does not exist; the columns are "
                    + Arrays.toString(schema.fieldNames()) + ". Set inputCol to the column holding the activations.");
        }
        StructField f = schema.apply(name);
        DataType t = f.dataType();
        if (t instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType)) {
            return new InputColumn(name, Kind.FLOAT_ARRAY);
        }
        if (t instanceof ArrayType a && a.elementType().equals(DataTypes.DoubleType)) {
            return new InputColumn(name, Kind.DOUBLE_ARRAY);
        }
        if (t instanceof VectorUDT) {
            return new InputColumn(name, Kind.VECTOR);
        }
        throw new IllegalArgumentException("input column '" + name + "' has type " + t.catalogString()
                + ", expected array<float>, array<double> or an ML Vector (org.apache.spark.ml.linalg.VectorUDT). "
                + "Cast it, e.g. col(\"" + name + "\").cast(\"array<float>\"), or use "
                + "org.apache.spark.ml.functions.array_to_vector.");
    }

    /** Copies an InternalRow's value into dst (length dim); returns the problem or null. Copies at once: rows are reused. */
    Problem read(InternalRow row, int ordinal, float[] dst) {
        if (row.isNullAt(ordinal)) {
            return Problem.NULL_ROW;
        }
        if (kind == Kind.VECTOR) {
            return fromVector(VECTOR_UDT.deserialize(row.getStruct(ordinal, 4)), dst);
        }
        ArrayData a = row.getArray(ordinal);
        if (a.numElements() != dst.length) {
            return Problem.WRONG_LENGTH;
        }
        for (int j = 0; j < dst.length; j++) {
            if (a.isNullAt(j)) {
                return Problem.NULL_ROW;
            }
            dst[j] = kind == Kind.FLOAT_ARRAY ? a.getFloat(j) : (float) a.getDouble(j);
        }
        return finite(dst);
    }

    /** Same as {@link #read(InternalRow, int, float[])} for an external Row. */
    Problem read(Row row, int ordinal, float[] dst) {
        if (row.isNullAt(ordinal)) {
            return Problem.NULL_ROW;
        }
        if (kind == Kind.VECTOR) {
            return fromVector((Vector) row.get(ordinal), dst);
        }
        java.util.List<Object> values = row.getList(ordinal);
        if (values.size() != dst.length) {
            return Problem.WRONG_LENGTH;
        }
        for (int j = 0; j < dst.length; j++) {
            Object v = values.get(j);
            if (v == null) {
                return Problem.NULL_ROW;
            }
            dst[j] = ((Number) v).floatValue();
        }
        return finite(dst);
    }

    /** The length of a row's value, or -1 if null. */
    int length(InternalRow row, int ordinal) {
        if (row.isNullAt(ordinal)) {
            return -1;
        }
        return kind == Kind.VECTOR
                ? VECTOR_UDT.deserialize(row.getStruct(ordinal, 4)).size()
                : row.getArray(ordinal).numElements();
    }

    private static Problem fromVector(Vector v, float[] dst) {
        if (v.size() != dst.length) {
            return Problem.WRONG_LENGTH;
        }
        if (v instanceof org.apache.spark.ml.linalg.SparseVector s) {
            Arrays.fill(dst, 0f);
            for (int i = 0; i < s.indices().length; i++) {
                dst[s.indices()[i]] = (float) s.values()[i];
            }
        } else {
            double[] d = v.toArray();
            for (int i = 0; i < dst.length; i++) {
                dst[i] = (float) d[i];
            }
        }
        return finite(dst);
    }

    private static Problem finite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return Problem.NON_FINITE;
            }
        }
        return null;
    }

    static String describe(Problem p, int len, int dim) {
        return switch (p) {
            case NULL_ROW -> "a null value";
            case WRONG_LENGTH -> "length " + len + " instead of " + dim;
            case NON_FINITE -> "a NaN or infinite value";
        };
    }
}
