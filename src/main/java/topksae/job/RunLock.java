package topksae.job;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock file that keeps two runs from writing one directory: DIR/_topksae.lock, created
 * atomically (exclusive create; on HDFS create without overwrite), holding the holder's host, pid
 * and start time; its modification time is the holder's heartbeat, renewed every
 * {@link #HEARTBEAT_SECONDS}. A lock whose heartbeat is older than {@link #STALE_SECONDS}, or whose
 * holder was on this host and is gone, is stale: it is taken over with a warning.
 */
public final class RunLock implements AutoCloseable {
    public static final String NAME = "_topksae.lock";
    static final long HEARTBEAT_SECONDS = 30;
    static final long STALE_SECONDS = 300;
    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

    private final Path path;
    private final FileSystem fs;
    private final ScheduledExecutorService heartbeat;

    private RunLock(Path path, FileSystem fs) {
        this.path = path;
        this.fs = fs;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topksae-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    /** Locks {@code dir} for this process, or fails naming the run that holds it. */
    public static RunLock acquire(Path dir, String what, Configuration conf) {
        Path p = new Path(dir, NAME);
        FileSystem fs = HadoopFiles.fs(p, conf);
        try {
            fs.mkdirs(dir);
            if (!create(fs, p)) {
                String holder = staleHolder(fs, p);
                if (holder == null || !fs.delete(p, false) || !create(fs, p)) {
                    throw new IllegalStateException(what + " " + dir + " is in use by another run (" + describe(fs, p)
                            + "). Wait for it to finish, or use another directory. If that run is gone, delete " + p
                            + ".");
                }
                LOG.warn("took over the stale lock {} ({})", p, holder);
            }
            return new RunLock(p, fs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir, e);
        }
    }

    /** Atomic exclusive create; false when the file exists. */
    private static boolean create(FileSystem fs, Path p) throws IOException {
        byte[] body = holderInfo().getBytes(StandardCharsets.UTF_8);
        if (fs instanceof LocalFileSystem local) {
            try {
                Files.write(
                        local.pathToFile(p).toPath(),
                        body,
                        java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (OutputStream out = fs.create(p, false)) {
            out.write(body);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(p)) {
                return false;
            }
            throw e;
        }
    }

    private static String holderInfo() {
        return "host=" + host() + "\npid=" + ProcessHandle.current().pid() + "\nstarted=" + Instant.now() + "\n";
    }

    /** Why the lock at p is stale (its holder is gone), or null when it may still be held. */
    static String staleHolder(FileSystem fs, Path p) throws IOException {
        Properties h = read(fs, p);
        long ageSeconds = (System.currentTimeMillis() - fs.getFileStatus(p).getModificationTime()) / 1000;
        if (ageSeconds > STALE_SECONDS) {
            return "no heartbeat for " + ageSeconds + " s";
        }
        String pid = h.getProperty("pid", "");
        if (host().equals(h.getProperty("host"))
                && pid.matches("\\d+")
                && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
            return "process " + pid + " on this host has exited";
        }
        return null;
    }

    private static String describe(FileSystem fs, Path p) {
        try {
            Properties h = read(fs, p);
            long age = (System.currentTimeMillis() - fs.getFileStatus(p).getModificationTime()) / 1000;
            return "host " + h.getProperty("host") + ", pid " + h.getProperty("pid") + ", started "
                    + h.getProperty("started") + ", last heartbeat " + age + " s ago";
        } catch (IOException e) {
            return "lock " + p;
        }
    }

    private static Properties read(FileSystem fs, Path p) throws IOException {
        Properties h = new Properties();
        try (var in = fs.open(p)) {
            h.load(new java.io.StringReader(new String(in.readNBytes(4096), StandardCharsets.UTF_8)));
        }
        return h;
    }

    private void beat() {
        try {
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            LOG.warn("cannot renew the lock {}: {}", path, e.toString());
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            LOG.warn("cannot remove the lock {}: {}", path, e.toString());
        }
    }
}
