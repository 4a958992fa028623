package dev.convene.bench;

import com.sun.management.ThreadMXBean;
import dev.convene.media.transport.srtp.SrtpContext;
import dev.convene.media.transport.srtp.SrtpProfile;
import java.lang.management.ManagementFactory;

/**
 * SRTP protect and unprotect of 1,100-byte packets timed in <em>thread CPU time</em>
 * ({@code ThreadMXBean.getCurrentThreadCpuTime}) with the bytes allocated, rather than JMH's
 * wall-clock throughput: on the project's shared 2-core machines other builds take most of the
 * CPU and wall time says little, while CPU time per packet stays comparable between runs.
 * Run it twice to compare AES-GCM implementations in one build: with
 * {@code --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED} SRTP uses {@code AesGcm},
 * without it the JCA cipher (ADR 0024).
 *
 * <pre>java [--add-opens ...] -cp bench/target/benchmarks.jar dev.convene.bench.SrtpCpuTime</pre>
 */
public final class SrtpCpuTime {

    private static final int WARM_UP = 300_000;
    private static final int MEASURED = 300_000;
    private static final int ROUNDS = 5;

    private SrtpCpuTime() {
    }

    public static void main(String[] args) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.printf("%-26s %-10s %12s %12s%n", "profile", "operation", "cpu ns/pkt", "B/pkt");
        for (SrtpProfile profile : new SrtpProfile[] {SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80}) {
            byte[] key = Vp8Stream.keyBytes(profile.keyLength(), 1);
            byte[] salt = Vp8Stream.keyBytes(profile.saltLength(), 2);
            // Two streams: the receiver must see every packet of its stream to keep its rollover counter.
            SrtpContext protectOnly = new SrtpContext(profile, key, salt);
            Vp8Stream first = new Vp8Stream(0x1234_5678L, 3);
            SrtpContext sender = new SrtpContext(profile, key, salt);
            SrtpContext receiver = new SrtpContext(profile, key, salt);
            Vp8Stream second = new Vp8Stream(0x1234_5679L, 4);
            byte[] buf = new byte[Vp8Stream.BUFFER_LENGTH];
            run(first, protectOnly, null, buf, WARM_UP);
            run(second, sender, receiver, buf, WARM_UP);
            for (int round = 0; round < ROUNDS; round++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long bytes = threads.getCurrentThreadAllocatedBytes();
                run(first, protectOnly, null, buf, MEASURED);
                long protectCpu = threads.getCurrentThreadCpuTime() - cpu;
                long protectBytes = threads.getCurrentThreadAllocatedBytes() - bytes;
                cpu = threads.getCurrentThreadCpuTime();
                bytes = threads.getCurrentThreadAllocatedBytes();
                run(second, sender, receiver, buf, MEASURED);
                long bothCpu = threads.getCurrentThreadCpuTime() - cpu;
                long bothBytes = threads.getCurrentThreadAllocatedBytes() - bytes;
                System.out.printf("%-26s %-10s %12.0f %12.1f%n", profile, "protect", (double) protectCpu / MEASURED,
                        (double) protectBytes / MEASURED);
                System.out.printf("%-26s %-10s %12.0f %12.1f%n", profile, "unprotect",
                        (double) (bothCpu - protectCpu) / MEASURED, (double) (bothBytes - protectBytes) / MEASURED);
            }
        }
    }

    /** Protects the stream's next {@code count} packets, and unprotects each one if there is a receiver. */
    private static void run(Vp8Stream stream, SrtpContext sender, SrtpContext receiver, byte[] buf, int count) {
        for (int i = 0; i < count; i++) {
            int len = Check.length(sender.protectRtp(buf, 0, stream.writePacket(buf, 0)));
            if (receiver != null) {
                Check.length(receiver.unprotectRtp(buf, 0, len));
            }
        }
    }
}
