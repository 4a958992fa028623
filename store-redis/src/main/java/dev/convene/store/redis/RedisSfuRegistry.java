package dev.convene.store.redis;

import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import io.lettuce.core.Range;
import io.lettuce.core.Range.Boundary;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The SFU registry as one hash per node ({@code sfu:node:<id>}) and a sorted set of node ids
 * scored by last heartbeat ({@code sfu:nodes}), which lets {@link #healthy} read only the
 * nodes heard from recently. The hash is the truth, the sorted set an index: the two are
 * written in one round trip but not atomically (they live in different Cluster slots), and
 * readers skip index entries whose hash is gone. A node's hash expires {@code forgetAfter}
 * after its last heartbeat, so dead nodes are remembered long enough for failover and then
 * disappear. Heartbeat times are the nodes' clocks at millisecond precision (nodes run NTP).
 */
public final class RedisSfuRegistry implements SfuRegistry {

    private final RedisConnection redis;
    private final Duration deadAfter;
    private final Duration forgetAfter;

    RedisSfuRegistry(RedisConnection redis, Duration deadAfter, Duration forgetAfter) {
        this.redis = redis;
        this.deadAfter = Objects.requireNonNull(deadAfter, "deadAfter");
        this.forgetAfter = Objects.requireNonNull(forgetAfter, "forgetAfter");
        if (deadAfter.toMillis() < 1 || forgetAfter.compareTo(deadAfter) < 0) {
            throw new IllegalArgumentException("need 0 < deadAfter <= forgetAfter");
        }
    }

    @Override
    public boolean heartbeat(SfuNodeInfo node) {
        String key = RedisKeys.sfuNode(node.nodeId());
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("node_id", node.nodeId());
        fields.put("control_address", node.controlAddress());
        fields.put("media_address", node.mediaAddress());
        fields.put("region", node.region());
        fields.put("participants", Integer.toString(node.participants()));
        fields.put("streams", Integer.toString(node.streams()));
        fields.put("cpu", Double.toString(node.cpu()));
        fields.put("draining", node.draining() ? "1" : "0");
        fields.put("last_heartbeat_ms", Long.toString(node.lastHeartbeat().toEpochMilli()));
        fields.put("meetings", String.join(",", node.meetings()));
        String heardAt = Long.toString(node.lastHeartbeat().toEpochMilli());
        return redis.pipeline("sfu_heartbeat", r -> {
            // HSET counts the fields it added: all of them when the hash was gone (first heartbeat, or Redis lost it).
            RedisFuture<Long> set = r.hset(key, fields);
            RedisFuture<Boolean> expire = r.pexpire(key, forgetAfter.toMillis());
            RedisFuture<Long> index = r.zadd(RedisKeys.SFU_NODES, node.lastHeartbeat().toEpochMilli(), node.nodeId());
            RedisFuture<String> since = r.set(RedisKeys.SFU_REGISTRY_SINCE, heardAt, SetArgs.Builder.nx());
            long added = redis.await(set);
            redis.await(expire);
            redis.await(index);
            redis.await(since);
            return added == fields.size();
        });
    }

    @Override
    public Optional<Instant> memorySince() {
        String since = redis.call("sfu_since", r -> r.get(RedisKeys.SFU_REGISTRY_SINCE));
        return since == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(since)));
    }

    @Override
    public Optional<SfuNodeInfo> find(String nodeId) {
        Map<String, String> fields = redis.call("sfu_find", r -> r.hgetall(RedisKeys.sfuNode(nodeId)));
        return Optional.ofNullable(parse(fields));
    }

    @Override
    public List<SfuNodeInfo> healthy(Instant now) {
        long cutoff = now.minus(deadAfter).toEpochMilli();
        List<SfuNodeInfo> nodes = read("sfu_healthy",
                Range.from(Boundary.excluding(cutoff), Boundary.<Long>unbounded()),
                now.minus(forgetAfter).toEpochMilli());
        return nodes.stream().filter(n -> n.lastHeartbeat().toEpochMilli() > cutoff).toList();
    }

    @Override
    public List<SfuNodeInfo> all() {
        return read("sfu_all", Range.<Long>unbounded(), Long.MIN_VALUE);
    }

    @Override
    public boolean remove(String nodeId) {
        return redis.pipeline("sfu_remove", r -> {
            RedisFuture<Long> deleted = r.del(RedisKeys.sfuNode(nodeId));
            RedisFuture<Long> unindexed = r.zrem(RedisKeys.SFU_NODES, nodeId);
            return redis.await(deleted) + redis.await(unindexed) > 0;
        });
    }

    @Override
    public Duration deadAfter() {
        return deadAfter;
    }

    /** Nodes of the index whose score is in {@code range}; prunes index entries older than {@code forgetBefore}. */
    private List<SfuNodeInfo> read(String operation, Range<Long> range, long forgetBefore) {
        return redis.pipeline(operation, r -> {
            if (forgetBefore != Long.MIN_VALUE) {
                r.zremrangebyscore(RedisKeys.SFU_NODES, Range.from(Boundary.<Long>unbounded(), Boundary.excluding(forgetBefore)));
            }
            List<String> ids = redis.await(r.zrangebyscore(RedisKeys.SFU_NODES, range));
            List<RedisFuture<Map<String, String>>> hashes = new ArrayList<>(ids.size());
            for (String id : ids) {
                hashes.add(r.hgetall(RedisKeys.sfuNode(id)));
            }
            List<SfuNodeInfo> nodes = new ArrayList<>(ids.size());
            List<RedisFuture<Long>> pruned = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                SfuNodeInfo node = parse(redis.await(hashes.get(i)));
                if (node == null) {
                    // The hash expired (forgotten) but the index still names it.
                    pruned.add(r.zrem(RedisKeys.SFU_NODES, ids.get(i)));
                } else {
                    nodes.add(node);
                }
            }
            // Awaited so a reader that comes next (on any connection) never sees the pruned entry.
            pruned.forEach(redis::await);
            nodes.sort(Comparator.comparing(SfuNodeInfo::nodeId));
            return nodes;
        });
    }

    private static Set<String> meetings(String joined) {
        return joined.isEmpty() ? Set.of() : Set.copyOf(java.util.Arrays.asList(joined.split(",")));
    }

    private static SfuNodeInfo parse(Map<String, String> f) {
        if (f == null || f.isEmpty() || !f.containsKey("node_id") || !f.containsKey("last_heartbeat_ms")) {
            return null;
        }
        return new SfuNodeInfo(
                f.get("node_id"),
                f.getOrDefault("control_address", ""),
                f.getOrDefault("media_address", ""),
                f.getOrDefault("region", ""),
                Integer.parseInt(f.getOrDefault("participants", "0")),
                Integer.parseInt(f.getOrDefault("streams", "0")),
                Double.parseDouble(f.getOrDefault("cpu", "0")),
                "1".equals(f.get("draining")),
                Instant.ofEpochMilli(Long.parseLong(f.get("last_heartbeat_ms"))),
                meetings(f.getOrDefault("meetings", "")));
    }
}
