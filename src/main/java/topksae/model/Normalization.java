package topksae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Maps a dictionary [nbConcepts, dim] to a new, normalized one (the input is not modified). */
@FunctionalInterface
public interface Normalization {
    INDArray apply(INDArray w);
}
