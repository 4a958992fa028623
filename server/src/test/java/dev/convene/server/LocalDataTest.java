package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory's file handling, without starting PostgreSQL (AllInOnePersistenceTest does). */
class LocalDataTest {

    @Test
    void aPidFileNamingAnotherProcessIsRemovedAndThatProcessLeftAlone(@TempDir Path pgData) throws Exception {
        // After a reboot the pid may belong to anything; here, to this very JVM.
        long self = ProcessHandle.current().pid();
        Files.writeString(pgData.resolve("postmaster.pid"), self + "\n" + pgData + "\n");
        LocalData.stopOrphan(pgData);
        assertThat(pgData.resolve("postmaster.pid")).doesNotExist();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void aPidFileOfAProcessThatIsGoneOrOfGarbageIsRemoved(@TempDir Path pgData) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(pgData.resolve("postmaster.pid"), gone.pid() + "\n");
        LocalData.stopOrphan(pgData);
        assertThat(pgData.resolve("postmaster.pid")).doesNotExist();

        Files.writeString(pgData.resolve("postmaster.pid"), "not a pid\n");
        LocalData.stopOrphan(pgData);
        assertThat(pgData.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void theJwtKeyIsMadeOnceReadableByTheOwnerOnlyAndKept(@TempDir Path dir) throws Exception {
        var first = LocalData.jwtKeys(dir);
        assertThat(first).singleElement().satisfies(k -> assertThat(k.secret()).hasSize(64));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("jwt-keys"))))
                .isEqualTo("rw-------");
        assertThat(LocalData.jwtKeys(dir)).isEqualTo(first);
    }
}
