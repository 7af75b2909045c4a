package topksae.kernel;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Direct views of contiguous float32 ND4J arrays; bulk copies to and from Java arrays are memcpy. */
public final class Native {
    private Native() {}

    /** True if a is float32, 'c' order and dense (its elements are one contiguous block). */
    public static boolean denseC(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() && a.elementWiseStride() == 1;
    }

    /** A (position-free) view of a's elements, starting at a's first element. */
    public static FloatBuffer view(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' && a.rank() > 1 || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException("need a dense float32 'c' array, got " + a.shapeInfoToString());
        }
        FloatBuffer b = a.data().asNioFloat();
        long off = a.offset();
        if (off != 0) {
            b = b.position((int) off).slice();
        }
        return b;
    }

    /** A native-order byte view of a's whole buffer; a's first element is at byte 4 * a.offset(). */
    public static java.nio.ByteBuffer bytes(INDArray a) {
        view(a);
        return a.data().asNio().order(java.nio.ByteOrder.nativeOrder());
    }

    /** a as a dense float32 'c' array (a itself when it already is one). */
    public static INDArray dense(INDArray a) {
        if (a.dataType() == DataType.FLOAT
                && a.ordering() == 'c'
                && a.elementWiseStride() == 1
                && a.offset() == 0
                && a.length() == a.data().length()) {
            return a;
        }
        return a.castTo(DataType.FLOAT).dup('c');
    }
}
