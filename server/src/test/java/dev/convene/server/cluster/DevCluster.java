package dev.convene.server.cluster;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code scripts/dev-cluster}: PostgreSQL, Redis, two SFU nodes and two signaling nodes on
 * loopback, for a person to try the distributed roles. Runs until Ctrl-C.
 */
public final class DevCluster {

    private DevCluster() {}

    public static void main(String[] args) throws Exception {
        int sfus = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int signalings = args.length > 1 ? Integer.parseInt(args[1]) : 2;
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
        System.out.println("Open a meeting on one signaling node and join its link on the other: both land on one SFU.");
        stopped.await();
    }
}
