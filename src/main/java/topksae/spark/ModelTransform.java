package topksae.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.kernel.SparseCodes;
import topksae.kernel.TopKEncoder;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.train.SparseLinearStep;

/**
 * TopKSAEModel.transform: the weights are broadcast once as float[]; each task encodes its rows
 * batchSize at a time (one ND4J encode per batch) with a core model built once per executor
 * thread, and appends the codes as SparseVectors (plus reconstruction / pre-codes if asked).
 * Codes only, on a plain linear TopK SAE: the fast sparse encoder (one GEMM + per-row top-k).
 */
final class ModelTransform {
    private ModelTransform() {}

    /** What the tasks need: the weights and the output choices. */
    record Job(
            String run,
            SAEConfig config,
            float[] state,
            float[] preBias,
            int inputOrdinal,
            InputColumn col,
            int batchSize,
            boolean skipInvalid,
            boolean reconstruction,
            boolean preCodes)
            implements java.io.Serializable {}

    static Dataset<Row> apply(TopKSAEModel m, Dataset<?> dataset) {
        StructType out = m.transformSchema(dataset.schema());
        InputColumn col = InputColumn.of(dataset.schema(), m.getInputCol());
        JavaSparkContext jsc =
                JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        String run = "transform-" + java.util.UUID.randomUUID();
        Broadcast<Job> job = jsc.broadcast(new Job(
                run,
                m.config(),
                m.flatState(),
                m.preBias(),
                dataset.schema().fieldIndex(m.getInputCol()),
                col,
                m.getBatchSize(),
                "skip".equals(m.getHandleInvalid()),
                !m.getReconstructionCol().isEmpty(),
                !m.getPreCodesCol().isEmpty()));
        @SuppressWarnings("unchecked")
        Dataset<Row> rows = (Dataset<Row>) dataset.toDF();
        return rows.mapPartitions(
                (MapPartitionsFunction<Row, Row>) it -> new Batches(job.value(), it), Encoders.row(out));
    }

    /** A task's models: the core model (eval) and, for plain linear TopK SAEs, the fast sparse encoder. */
    record TaskModels(SAE sae, TopKEncoder fast) {
        static TaskModels of(Job job) {
            SAE s = SAE.fromConfig(job.config());
            ModelState.load(s, job.state());
            s.eval();
            return new TaskModels(s, SparseLinearStep.encoderFor(s));
        }
    }

    /** Output rows of one partition, computed a batch at a time. */
    static final class Batches implements Iterator<Row> {
        private final Job job;
        private final Iterator<Row> in;
        private final SAE sae;
        private final TopKEncoder fast;
        private final int dim;
        private final List<Row> pending = new ArrayList<>();
        private final List<Row> ready = new ArrayList<>();
        private int next;
        private long index;
        private float[] x = new float[0];

        Batches(Job job, Iterator<Row> in) {
            NativeThreads.forCurrentTask();
            this.job = job;
            this.in = in;
            TaskModels e =
                    WorkerCache.get(job.run(), (int) Thread.currentThread().getId(), () -> TaskModels.of(job));
            this.sae = e.sae();
            this.fast = job.reconstruction() || job.preCodes() ? null : e.fast();
            this.dim = sae.inputDim();
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) {
                return true;
            }
            fill();
            return next < ready.size();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }

        private void fill() {
            ready.clear();
            pending.clear();
            next = 0;
            if (x.length < job.batchSize() * dim) {
                x = new float[job.batchSize() * dim];
            }
            float[] row = new float[dim];
            while (pending.size() < job.batchSize() && in.hasNext()) {
                Row r = in.next();
                InputColumn.Problem problem = job.col().read(r, job.inputOrdinal(), row);
                long i = index++;
                if (problem != null) {
                    if (job.skipInvalid()) {
                        continue;
                    }
                    throw new IllegalArgumentException(
                            "invalid row " + i + " of a partition in column '" + job.col().name
                                    + "': " + InputColumn.describe(problem, length(r), dim)
                                    + ". Fix the data, or set handleInvalid=skip on the model to drop such rows.");
                }
                int o = pending.size() * dim;
                float[] bias = job.preBias();
                for (int j = 0; j < dim; j++) {
                    x[o + j] = bias == null ? row[j] : row[j] - bias[j];
                }
                pending.add(r);
            }
            if (!pending.isEmpty()) {
                encode();
            }
        }

        private int length(Row r) {
            if (r.isNullAt(job.inputOrdinal())) {
                return -1;
            }
            Object v = r.get(job.inputOrdinal());
            return v instanceof Vector vec
                    ? vec.size()
                    : r.getList(job.inputOrdinal()).size();
        }

        private void encode() {
            int n = pending.size();
            INDArray batch = Nd4j.create(DataType.FLOAT, n, dim);
            batch.data().asNioFloat().put(x, 0, n * dim);
            if (fast != null) {
                SparseCodes sc = fast.encode(batch);
                for (int r = 0; r < n; r++) {
                    ready.add(append(pending.get(r), sparse(sc, r)));
                }
                return;
            }
            SAE.Encoded e = sae.encode(batch);
            float[] codes = values(e.codes());
            float[] pre = job.preCodes() ? values(e.preCodes()) : null;
            float[] rec = job.reconstruction() ? values(sae.decode(e.codes())) : null;
            int nb = sae.nbConcepts();
            for (int r = 0; r < n; r++) {
                Row in = pending.get(r);
                Object[] vals = new Object[in.length() + 1 + (rec != null ? 1 : 0) + (pre != null ? 1 : 0)];
                for (int c = 0; c < in.length(); c++) {
                    vals[c] = in.get(c);
                }
                int c = in.length();
                vals[c++] = sparse(codes, r * nb, nb);
                if (rec != null) {
                    vals[c++] = dense(rec, r * dim, dim, job.preBias());
                }
                if (pre != null) {
                    vals[c] = dense(pre, r * nb, nb, null);
                }
                ready.add(RowFactory.create(vals));
            }
        }

        private static Row append(Row in, Object v) {
            Object[] vals = new Object[in.length() + 1];
            for (int c = 0; c < in.length(); c++) {
                vals[c] = in.get(c);
            }
            vals[in.length()] = v;
            return RowFactory.create(vals);
        }

        /** Row r of fast sparse codes (indices increasing) without zero values. */
        private static Vector sparse(SparseCodes sc, int r) {
            int nnz = 0;
            for (int s = 0; s < sc.counts[r]; s++) {
                nnz += sc.vals[r * sc.k + s] != 0f ? 1 : 0;
            }
            int[] idx = new int[nnz];
            double[] val = new double[nnz];
            int j = 0;
            for (int s = 0; s < sc.counts[r]; s++) {
                float v = sc.vals[r * sc.k + s];
                if (v != 0f) {
                    idx[j] = sc.idx[r * sc.k + s];
                    val[j++] = v;
                }
            }
            return Vectors.sparse(sc.nbConcepts, idx, val);
        }

        private static float[] values(INDArray a) {
            INDArray c = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
            float[] out = new float[(int) c.length()];
            c.data().asNioFloat().get(out);
            return out;
        }

        private static Vector sparse(float[] v, int offset, int n) {
            int nnz = 0;
            for (int j = 0; j < n; j++) {
                nnz += v[offset + j] != 0f ? 1 : 0;
            }
            int[] idx = new int[nnz];
            double[] val = new double[nnz];
            int k = 0;
            for (int j = 0; j < n; j++) {
                if (v[offset + j] != 0f) {
                    idx[k] = j;
                    val[k++] = v[offset + j];
                }
            }
            return Vectors.sparse(n, idx, val);
        }

        private static Vector dense(float[] v, int offset, int n, float[] bias) {
            double[] d = new double[n];
            for (int j = 0; j < n; j++) {
                d[j] = v[offset + j] + (bias == null ? 0f : bias[j]);
            }
            return Vectors.dense(d);
        }
    }
}
