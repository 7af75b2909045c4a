package topksae.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Named float32 / int64 tensors in the safetensors layout, on any Hadoop file system: an 8-byte
 * little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
 * {string: string}} padded with spaces to a multiple of 8, then the little-endian tensor bytes.
 * Readable by the Python safetensors package.
 */
final class TensorFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 16;

  /** One tensor: float32 values or int64 values, row-major. */
  record Tensor(long[] shape, float[] f32, long[] i64) {
    static Tensor of(float[] values, long... shape) {
      return new Tensor(shape, values, null);
    }

    long bytes() {
      return f32 != null ? 4L * f32.length : 8L * i64.length;
    }
  }

  record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

  private TensorFile() {}

  static void write(String path, Configuration conf, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    ObjectNode meta = header.putObject("__metadata__");
    metadata.forEach(meta::put);
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", e.getValue().f32() != null ? "F32" : "I64");
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + e.getValue().bytes());
      offset += e.getValue().bytes();
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    Path p = new Path(path);
    try (OutputStream out = p.getFileSystem(conf).create(p, true)) {
      ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
      buf.putLong(padded);
      out.write(buf.array(), 0, 8);
      out.write(json);
      out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
      for (Tensor t : tensors.values()) {
        writeValues(out, buf, t);
      }
    }
  }

  static Contents read(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    try (DataInputStream in = new DataInputStream(fs.open(p))) {
      byte[] len = new byte[8];
      in.readFully(len);
      long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] json = new byte[Math.toIntExact(n)];
      in.readFully(json);
      JsonNode header = JSON.readTree(json);
      Map<String, String> metadata = new LinkedHashMap<>();
      header.path("__metadata__").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
      LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
      long pos = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        JsonNode t = e.getValue();
        long begin = t.get("data_offsets").get(0).asLong();
        long end = t.get("data_offsets").get(1).asLong();
        if (begin != pos) {
          throw new IOException(path + ": tensors must be stored in header order without gaps");
        }
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.get("shape").get(i).asLong();
        }
        tensors.put(e.getKey(), readValues(in, t.get("dtype").asText(), shape, end - begin, path));
        pos = end;
      }
      return new Contents(tensors, metadata);
    }
  }

  private static void writeValues(OutputStream out, ByteBuffer buf, Tensor t) throws IOException {
    buf.clear();
    int n = t.f32() != null ? t.f32().length : t.i64().length;
    for (int i = 0; i < n; i++) {
      if (t.f32() != null) {
        buf.putFloat(t.f32()[i]);
      } else {
        buf.putLong(t.i64()[i]);
      }
      if (buf.remaining() < 8) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
    }
    out.write(buf.array(), 0, buf.position());
  }

  private static Tensor readValues(DataInputStream in, String dtype, long[] shape, long bytes, String path)
      throws IOException {
    int width = dtype.equals("F32") ? 4 : dtype.equals("I64") ? 8 : -1;
    if (width < 0) {
      throw new IOException(path + ": unsupported dtype " + dtype + " (F32 and I64 only)");
    }
    int n = Math.toIntExact(bytes / width);
    byte[] raw = new byte[Math.toIntExact(bytes)];
    in.readFully(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (width == 4) {
      float[] v = new float[n];
      b.asFloatBuffer().get(v);
      return new Tensor(shape, v, null);
    }
    long[] v = new long[n];
    b.asLongBuffer().get(v);
    return new Tensor(shape, null, v);
  }
}
