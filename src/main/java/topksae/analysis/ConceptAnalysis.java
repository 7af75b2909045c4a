package topksae.analysis;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What each concept of a transformed data set does, computed on the executors: codes are never
 * collected to the driver. Works on the output of {@code TopKSAEModel.transform} (any ML Vector
 * column of codes; SparseVectors are read without densifying).
 */
public final class ConceptAnalysis {
    private ConceptAnalysis() {}

    /**
     * One row per concept (0 .. nbConcepts-1, never-firing ones included): {@code concept},
     * {@code fires} (rows where its code is non-zero), {@code frequency} (fires / rows),
     * {@code meanActivation} (mean code over the rows where it fires, 0 if it never does) and
     * {@code maxActivation}. One treeAggregate pass; only nbConcepts-sized arrays reach the driver.
     */
    public static Dataset<Row> conceptStats(Dataset<?> transformed, String codesCol) {
        ConceptStats s = transformed
                .select(codesCol)
                .toJavaRDD()
                .treeAggregate(new ConceptStats(), (acc, row) -> acc.add((Vector) row.get(0)), ConceptStats::merge, 2);
        if (s.fires == null) {
            throw new IllegalArgumentException("column '" + codesCol + "' has no codes (empty or all null)");
        }
        List<Row> rows = new ArrayList<>(s.fires.length);
        for (int i = 0; i < s.fires.length; i++) {
            long f = s.fires[i];
            rows.add(
                    RowFactory.create(i, f, (double) f / s.rows, f == 0 ? 0.0 : s.sum[i] / f, f == 0 ? 0.0 : s.max[i]));
        }
        StructType schema = new StructType()
                .add("concept", DataTypes.IntegerType, false)
                .add("fires", DataTypes.LongType, false)
                .add("frequency", DataTypes.DoubleType, false)
                .add("meanActivation", DataTypes.DoubleType, false)
                .add("maxActivation", DataTypes.DoubleType, false);
        return SparkSession.active().createDataFrame(rows, schema);
    }

    /**
     * The non-zero codes as rows {@code (<idCol>, concept, activation)}: one row per active
     * concept of each input row, built on the executors.
     */
    public static Dataset<Row> explodeCodes(Dataset<?> transformed, String codesCol, String idCol) {
        Dataset<Row> in = transformed.select(functions.col(idCol), functions.col(codesCol));
        StructType schema = new StructType()
                .add(in.schema().fields()[0])
                .add("concept", DataTypes.IntegerType, false)
                .add("activation", DataTypes.DoubleType, false);
        FlatMapFunction<Row, Row> explode = ConceptAnalysis::activeCodes;
        return in.flatMap(explode, Encoders.row(schema));
    }

    private static Iterator<Row> activeCodes(Row r) {
        List<Row> out = new ArrayList<>();
        Object id = r.get(0);
        Vector v = (Vector) r.get(1);
        if (v instanceof SparseVector s) {
            for (int j = 0; j < s.indices().length; j++) {
                if (s.values()[j] != 0.0) {
                    out.add(RowFactory.create(id, s.indices()[j], s.values()[j]));
                }
            }
        } else if (v != null) {
            double[] d = v.toArray();
            for (int j = 0; j < d.length; j++) {
                if (d[j] != 0.0) {
                    out.add(RowFactory.create(id, j, d[j]));
                }
            }
        }
        return out.iterator();
    }

    /**
     * For every concept, the {@code n} rows that activate it most: {@code concept}, {@code rank}
     * (1 = strongest), {@code <idCol>}, {@code activation}; ties broken by ascending id. A window
     * ranked per concept, which Spark limits per partition before the shuffle.
     */
    public static Dataset<Row> topActivations(Dataset<?> transformed, String codesCol, String idCol, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        Dataset<Row> codes = explodeCodes(transformed, codesCol, idCol);
        return codes.withColumn(
                        "rank",
                        functions
                                .row_number()
                                .over(Window.partitionBy("concept")
                                        .orderBy(
                                                functions.col("activation").desc(),
                                                functions.col(idCol).asc())))
                .filter(functions.col("rank").leq(n))
                .select(
                        functions.col("concept"),
                        functions.col("rank"),
                        functions.col(idCol),
                        functions.col("activation"))
                .orderBy("concept", "rank");
    }
}
