package topksae.job;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per directory: a second is refused while the first holds the lock; stale locks are taken over. */
class RunLockTest {
    @TempDir
    File tmp;

    private final Configuration conf = new Configuration();

    @Test
    void aSecondRunIsRefusedWhileTheFirstHoldsTheLock() {
        Path dir = new Path(tmp.getPath(), "out");
        try (RunLock first = RunLock.acquire(dir, "--output", conf)) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> RunLock.acquire(dir, "--output", conf));
            assertTrue(e.getMessage().contains("is in use by another run"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        assertFalse(new File(tmp, "out/" + RunLock.NAME).exists(), "released on close");
        RunLock.acquire(dir, "--output", conf).close();
    }

    @Test
    void aLockOfAnExitedProcessIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        File lock = new File(tmp, "out/" + RunLock.NAME);
        lock.getParentFile().mkdirs();
        Files.writeString(lock.toPath(), "host=" + RunLock.host() + "\npid=" + gone.pid() + "\nstarted=x\n");
        try (RunLock l = RunLock.acquire(new Path(tmp.getPath(), "out"), "--output", conf)) {
            assertTrue(Files.readString(lock.toPath())
                    .contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    @Test
    void aLockWithoutHeartbeatIsStaleEvenFromAnotherHost() throws Exception {
        File lock = new File(tmp, "out/" + RunLock.NAME);
        lock.getParentFile().mkdirs();
        Files.writeString(lock.toPath(), "host=elsewhere\npid=1\nstarted=x\n");
        assertThrows(
                IllegalStateException.class,
                () -> RunLock.acquire(new Path(tmp.getPath(), "out"), "--output", conf),
                "another host, fresh heartbeat: held");
        assertTrue(lock.setLastModified(System.currentTimeMillis() - 1000 * (RunLock.STALE_SECONDS + 60)));
        RunLock.acquire(new Path(tmp.getPath(), "out"), "--output", conf).close();
    }
}
