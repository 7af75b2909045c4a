package topksae.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Sums the workers' results in a fixed order (worker 0, 1, ...), so that a fit is bit-for-bit
 * reproducible: float sums depend on their order, and Spark's aggregate/treeAggregate merge task
 * results in completion order. Up to {@link #DIRECT} workers the driver collects and sums the
 * results; beyond, a two-level tree: groups of about sqrt(workers) summed on executors (sorted by
 * worker), then the group sums on the driver.
 */
final class RoundAggregation {
  static final int DIRECT = 4;

  private RoundAggregation() {}

  static RoundResult sum(JavaRDD<RoundResult> perWorker, int workers) {
    if (workers <= DIRECT) {
      return inOrder(perWorker.collect());
    }
    int group = (int) Math.ceil(Math.sqrt(workers));
    int groups = (workers + group - 1) / group;
    List<RoundResult> partial = perWorker
        .mapPartitionsWithIndex((w, it) -> keyed(w, it), true)
        .mapToPair(t -> t)
        .repartitionAndSortWithinPartitions(new Groups(groups, group))
        .values()
        .mapPartitions(it -> List.of(inOrder(it)).iterator())
        .collect();
    return inOrder(partial);
  }

  private static Iterator<Tuple2<Integer, RoundResult>> keyed(int w, Iterator<RoundResult> it) {
    return it.hasNext() ? List.of(new Tuple2<>(w, it.next())).iterator()
        : java.util.Collections.<Tuple2<Integer, RoundResult>>emptyIterator();
  }

  private static RoundResult inOrder(Iterable<RoundResult> results) {
    return inOrder(results.iterator());
  }

  private static RoundResult inOrder(Iterator<RoundResult> results) {
    RoundResult acc = RoundResult.empty();
    while (results.hasNext()) {
      acc.merge(results.next());
    }
    return acc;
  }

  /** Worker w to group w / size. */
  static final class Groups extends Partitioner {
    private final int groups;
    private final int size;

    Groups(int groups, int size) {
      this.groups = groups;
      this.size = size;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key / size;
    }
  }
}
