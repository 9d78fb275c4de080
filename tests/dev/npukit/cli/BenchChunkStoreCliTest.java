package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code bench chunk-store}: its JSON contract and option errors (the figures come from real runs only). */
class BenchChunkStoreCliTest {
    @Test
    void jsonHasEveryCaseWithItsProbeAndRatio() throws Exception {
        CliRun r = CliRun.of("bench", "chunk-store", "--tier", "memory", "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode cases = root.get("cases");
        Set<String> seen = new HashSet<>();
        for (JsonNode c : cases) {
            seen.add(c.get("tier").asText() + " " + c.get("case").asText() + " " + c.get("op").asText());
            double gbs = c.get("gbPerS").asDouble();
            double probe = c.get("probeGbPerS").asDouble();
            assertTrue(gbs > 0 && probe > 0, c.toString());
            assertEquals(gbs / probe, c.get("ratio").asDouble(), 0.01 + 0.01 * gbs / probe, c.toString());
            // The goal is set on the engine's load path, read, and nowhere else.
            boolean read = c.get("op").asText().equals("read");
            assertEquals(read, c.get("enginePath").asBoolean(), c.toString());
            if (read) {
                assertEquals(0.7, c.get("goal").asDouble(), 1e-9, c.toString());
                assertEquals(c.get("ratio").asDouble() >= 0.7, c.get("meetsGoal").asBoolean(), c.toString());
            } else {
                assertTrue(c.get("goal").isNull() && c.get("meetsGoal").isNull(), c.toString());
            }
        }
        assertEquals(Set.of("memory demo put", "memory demo get", "memory demo read", "memory mistral-7b put",
                "memory mistral-7b get", "memory mistral-7b read"), seen);
        for (JsonNode c : cases) {
            if (c.get("case").asText().equals("mistral-7b")) {
                assertEquals(2L * 512 * 32 * 8 * 128 * 2, c.get("bytes").asLong(), "a 64 MiB Mistral-7B chunk");
            }
        }
    }

    @Test
    void redisRowsCarryTheRespBoundAndTheRemoteGoal() throws Exception {
        // A redis-server of its own on a loopback port, the tier's rows and the raw RESP fetch of the same pieces.
        CliRun r = CliRun.of("bench", "chunk-store", "--tier", "redis", "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        Set<String> seen = new HashSet<>();
        for (JsonNode c : new ObjectMapper().readTree(r.out()).get("cases")) {
            seen.add(c.get("case").asText() + " " + c.get("op").asText());
            assertTrue(c.get("gbPerS").asDouble() > 0 && c.get("probeGbPerS").asDouble() > 0, c.toString());
            if (c.get("op").asText().equals("read")) {
                assertEquals(0.5, c.get("goal").asDouble(), 1e-9, c.toString());
            } else {
                assertTrue(c.get("goal").isNull(), c.toString());
            }
        }
        assertEquals(Set.of("demo put", "demo get", "demo read", "demo resp", "mistral-7b put", "mistral-7b get",
                "mistral-7b read", "mistral-7b resp"), seen);
    }

    @Test
    void badOptionsAreRefusedByName() {
        CliRun tier = CliRun.of("bench", "chunk-store", "--tier", "tape");
        assertEquals(2, tier.code());
        assertTrue(tier.err().contains("--tier: must be memory, disk or redis, got tape"), tier.err());
        CliRun redis = CliRun.of("bench", "chunk-store", "--redis", "http://127.0.0.1:1");
        assertEquals(2, redis.code());
        assertTrue(redis.err().contains("--redis: must be 'local' or a redis://"), redis.err());
        CliRun part = CliRun.of("bench", "chunk-store", "--redis-part-kib", "1");
        assertEquals(2, part.code());
        assertTrue(part.err().contains("--redis-part-kib"), part.err());
        CliRun connections = CliRun.of("bench", "chunk-store", "--redis-connections", "65");
        assertEquals(2, connections.code());
        assertTrue(connections.err().contains("--redis-connections: must be in 1..64, got 65"), connections.err());
    }
}
