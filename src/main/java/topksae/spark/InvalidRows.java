package topksae.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/** Counts of the rows skipped with handleInvalid=skip, per reason (Spark accumulators). */
final class InvalidRows implements java.io.Serializable {
  private final LongAccumulator nulls;
  private final LongAccumulator wrongLength;
  private final LongAccumulator nonFinite;

  InvalidRows(SparkContext sc) {
    nulls = sc.longAccumulator("topksae skipped null rows");
    wrongLength = sc.longAccumulator("topksae skipped wrong-length rows");
    nonFinite = sc.longAccumulator("topksae skipped non-finite rows");
  }

  void add(InputColumn.Problem p) {
    switch (p) {
      case NULL_ROW -> nulls.add(1);
      case WRONG_LENGTH -> wrongLength.add(1);
      case NON_FINITE -> nonFinite.add(1);
    }
  }

  long nullRows() {
    return nulls.value();
  }

  long wrongLengthRows() {
    return wrongLength.value();
  }

  long nonFiniteRows() {
    return nonFinite.value();
  }

  long total() {
    return nullRows() + wrongLengthRows() + nonFiniteRows();
  }

  String describe() {
    return total() + " rows skipped (" + nullRows() + " null, " + wrongLengthRows() + " of a wrong length, "
        + nonFiniteRows() + " with NaN/Inf)";
  }
}
