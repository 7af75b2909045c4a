package topksae.spark;

import java.util.Arrays;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The schema check shared by the estimator and the model, and the output schema. */
final class SchemaCheck {
    private SchemaCheck() {}

    /** Validates the input column and appends the output columns (codes, optional reconstruction and pre-codes). */
    static StructType transformSchema(TopKSAEParams p, StructType schema) {
        InputColumn.of(schema, p.getInputCol());
        StructType out = schema;
        out = append(out, p.getOutputCol(), "outputCol");
        if (!p.getReconstructionCol().isEmpty()) {
            out = append(out, p.getReconstructionCol(), "reconstructionCol");
        }
        if (!p.getPreCodesCol().isEmpty()) {
            out = append(out, p.getPreCodesCol(), "preCodesCol");
        }
        return out;
    }

    private static StructType append(StructType schema, String name, String param) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException(param + " must not be empty");
        }
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column '" + name + "' (" + param + ") already exists in "
                    + Arrays.toString(schema.fieldNames()) + ": set " + param + " to a new column name");
        }
        return schema.add(new StructField(name, SQLDataTypes.VectorType(), true, Metadata.empty()));
    }
}
