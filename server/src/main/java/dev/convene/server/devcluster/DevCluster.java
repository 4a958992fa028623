package dev.convene.server.devcluster;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code convene dev-cluster} (and {@code scripts/dev-cluster}): PostgreSQL and Redis from their
 * Maven-packaged binaries, SFU nodes and signaling nodes as child JVMs of this jar, all on
 * loopback, for a person to try the distributed roles. Runs until Ctrl-C.
 */
@Command(name = "dev-cluster", mixinStandardHelpOptions = true,
        description = "Starts PostgreSQL, Redis, SFU and signaling nodes on loopback; Ctrl-C stops them all.")
public final class DevCluster implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", defaultValue = "2", description = "SFU nodes (default: ${DEFAULT-VALUE}).")
    int sfus;

    @Parameters(index = "1", arity = "0..1", defaultValue = "2", description = "Signaling nodes (default: ${DEFAULT-VALUE}).")
    int signalings;

    @Override
    public Integer call() throws Exception {
        if (sfus < 1 || signalings < 1 || sfus > 8 || signalings > 8) {
            System.err.println("convene dev-cluster: between 1 and 8 SFU and signaling nodes");
            return 2;
        }
        LocalCluster cluster = LocalCluster.start(sfus, signalings, List.of(), null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "dev-cluster-stop"));
        System.out.println();
        System.out.println("Convene dev cluster is running (Ctrl-C stops it):");
        System.out.println("  PostgreSQL  " + cluster.jdbcUrl());
        System.out.println("  Redis       " + cluster.redisUrl());
        for (NodeProcess sfu : cluster.sfus()) {
            System.out.println("  " + sfu.name() + "       control " + sfu.url());
        }
        for (NodeProcess signaling : cluster.signalings()) {
            System.out.println("  " + signaling.name() + " open " + signaling.url());
        }
        System.out.println("  TLS         " + cluster.certificateFile() + " (self-signed for this run, SHA-256 "
                + cluster.certificate().sha256Fingerprint() + ")");
        System.out.println("Open a meeting on one signaling node and join its link on the other: both land on one SFU.");
        System.out.println("Browsers warn about the self-signed certificate: compare its SHA-256 with the one above, then accept it.");
        stopped.await();
        return 0;
    }
}
