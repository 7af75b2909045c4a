package topksae.model;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.nn.BatchNorm1d (eps 1e-5, momentum 0.1). Train mode normalizes with the batch statistics
 * (biased variance) and updates the running ones (unbiased variance); eval mode uses the running ones.
 */
public final class BatchNorm1d extends Layer {
    static final double EPS = 1e-5;
    static final double MOMENTUM = 0.1;
    private final String prefix;
    private final Parameter weight;
    private final Parameter bias;
    private final INDArray runningMean;
    private final INDArray runningVar;
    private final INDArray numBatchesTracked = Nd4j.scalar(DataType.LONG, 0L);
    private INDArray xhat;
    private INDArray invStd;
    private boolean usedBatchStats;

    public BatchNorm1d(String prefix, int dim) {
        this.prefix = prefix;
        weight = new Parameter(prefix + ".weight", Nd4j.ones(dim));
        bias = new Parameter(prefix + ".bias", Nd4j.zeros(dim));
        runningMean = Nd4j.zeros(dim);
        runningVar = Nd4j.ones(dim);
    }

    @Override
    public INDArray forward(INDArray x) {
        INDArray mean;
        INDArray var;
        usedBatchStats = training;
        if (training) {
            long n = x.rows();
            mean = x.mean(0);
            INDArray c = x.subRowVector(mean);
            var = c.mul(c).mean(0);
            runningMean.muli(1 - MOMENTUM).addi(mean.mul(MOMENTUM));
            double unbias = n > 1 ? (double) n / (n - 1) : 1.0;
            runningVar.muli(1 - MOMENTUM).addi(var.mul(MOMENTUM * unbias));
            numBatchesTracked.addi(1);
        } else {
            mean = runningMean;
            var = runningVar;
        }
        invStd = Transforms.pow(var.add(EPS), -0.5, false);
        xhat = x.subRowVector(mean).muliRowVector(invStd);
        return xhat.mulRowVector(weight.value()).addiRowVector(bias.value());
    }

    @Override
    public INDArray backward(INDArray g) {
        weight.grad().addi(g.mul(xhat).sum(0));
        bias.grad().addi(g.sum(0));
        INDArray gx = g.mulRowVector(weight.value());
        if (!usedBatchStats) {
            return gx.muliRowVector(invStd);
        }
        double n = g.rows();
        INDArray s1 = gx.sum(0);
        INDArray s2 = gx.mul(xhat).sum(0);
        gx.muli(n).subiRowVector(s1).subi(xhat.mulRowVector(s2));
        return gx.muliRowVector(invStd).divi(n);
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.add(weight);
        out.add(bias);
    }

    @Override
    public void collectState(Map<String, INDArray> out) {
        out.put(weight.name(), weight.value());
        out.put(bias.name(), bias.value());
        out.put(prefix + ".running_mean", runningMean);
        out.put(prefix + ".running_var", runningVar);
        out.put(prefix + ".num_batches_tracked", numBatchesTracked);
    }
}
