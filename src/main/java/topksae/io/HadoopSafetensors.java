package topksae.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Safetensors files on any Hadoop file system (local, HDFS, S3A, DBFS...), through the strict
 * reader: the file's size comes from the file system, never from the header. Writes go to a
 * hidden temporary name beside the target, then are renamed into place.
 */
public final class HadoopSafetensors {
    private HadoopSafetensors() {}

    /** What was written: the byte length and the SHA-256 (hex) of the file. */
    public record Written(long length, String sha256) {}

    public static SafetensorsFile read(String path, Configuration conf) throws IOException {
        return read(path, conf, null);
    }

    /**
     * Reads {@code path}; when {@code expected} is given, refuses a file whose length or SHA-256
     * differs (a torn or corrupted write) with a {@link MalformedSafetensorsException}.
     */
    public static SafetensorsFile read(String path, Configuration conf, Written expected) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        long size = fs.getFileStatus(p).getLen();
        if (expected != null && size != expected.length()) {
            throw new MalformedSafetensorsException(
                    path + ": " + size + " bytes, expected " + expected.length() + " (incomplete or corrupted write)");
        }
        MessageDigest digest = sha256();
        SafetensorsFile f;
        try (InputStream in = new DigestInputStream(fs.open(p), digest)) {
            f = SafetensorsFile.read(path, in, size);
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (expected != null && !sha.equals(expected.sha256())) {
            throw new MalformedSafetensorsException(path + ": SHA-256 " + sha + " differs from the recorded "
                    + expected.sha256() + " (corrupted file)");
        }
        return f;
    }

    /** Writes {@code content} to {@code path} (replacing it) through a temporary file and a rename. */
    public static Written write(String path, Configuration conf, SafetensorsFile content) throws IOException {
        Path target = new Path(path);
        FileSystem fs = target.getFileSystem(conf);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        fs.mkdirs(target.getParent());
        MessageDigest digest = sha256();
        long n;
        try (OutputStream out = new DigestOutputStream(fs.create(tmp, true), digest)) {
            n = content.write(out);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, false);
            throw e;
        }
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("rename " + tmp + " -> " + target + " failed");
        }
        return new Written(n, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
