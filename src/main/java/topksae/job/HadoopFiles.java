package topksae.job;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small whole-file reads and writes on any Hadoop filesystem; writes go to a temporary name first. */
public final class HadoopFiles {
    private HadoopFiles() {}

    public static FileSystem fs(Path p, Configuration conf) {
        try {
            return p.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the filesystem of " + p, e);
        }
    }

    /** Writes bytes to a hidden temporary file beside {@code target}, then renames it into place. */
    public static void writeAtomically(Path target, byte[] bytes, Configuration conf) {
        FileSystem fs = fs(target, conf);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try {
            fs.mkdirs(target.getParent());
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target, e);
        }
    }

    public static byte[] read(Path p, Configuration conf) {
        try (InputStream in = fs(p, conf).open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p, e);
        }
    }

    public static boolean exists(Path p, Configuration conf) {
        try {
            return fs(p, conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("checking " + p, e);
        }
    }

    public static void delete(Path p, Configuration conf) {
        try {
            fs(p, conf).delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + p, e);
        }
    }
}
