package dev.npukit.mepic.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code npukit replay} and {@code npukit bench cache} through the real command line. */
class ReplayCliTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasEveryPolicyAndOnlyJson() throws Exception {
        Path chart = dir.resolve("blocks.png");
        CliRun r = CliRun.of("replay", "--workload", "squad", "--requests", "40", "--json", "--chart", chart.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        for (String p : new String[] {"NONE", "PREFIX", "EPIC", "CACHEBLEND", "MEPIC"}) {
            JsonNode n = root.path("policies").path(p);
            for (String k : new String[] {"peakBlocks", "meanBlocks", "computedTokens", "rejected", "queued", "p50LatencyS", "p99LatencyS"}) {
                assertTrue(n.has(k), p + "." + k);
            }
            assertTrue(n.get("peakBlocks").asInt() > 0);
        }
        assertTrue(root.path("policies").path("MEPIC").get("peakBlocks").asInt()
                < root.path("policies").path("EPIC").get("peakBlocks").asInt());
        assertTrue(r.err().contains("MEPIC"), "progress on stderr");
        byte[] head = Arrays.copyOf(Files.readAllBytes(chart), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
    }

    @Test
    void tableAndSvgChartForOnePolicyFromATrace() throws Exception {
        Path trace = dir.resolve("t.jsonl");
        Files.writeString(trace, """
                {"arrival": 0.0, "outputTokens": 20, "segments": [{"kind": "chunk", "id": "a", "length": 100}, {"kind": "prompt", "length": 9}]}
                {"arrival": 0.1, "outputTokens": 20, "segments": [{"kind": "prompt", "length": 30}, {"kind": "chunk", "id": "a", "length": 100}, {"kind": "prompt", "length": 9}]}
                """);
        Path chart = dir.resolve("c.svg");
        CliRun r = CliRun.of("replay", "--trace", trace.toString(), "--policy", "mepic", "--chart", chart.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("MEPIC") && r.out().contains("peak"), r.out());
        assertTrue(Files.readString(chart).contains("<svg"));
    }

    @Test
    void coldStoreAndLoadCostReachTheJson() throws Exception {
        CliRun r = CliRun.of("replay", "--workload", "long-prompt", "--chunks", "4", "--requests", "30", "--chunk-store", "cold",
                "--load-us-per-token", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals("cold", root.path("config").path("chunkStore").asText());
        assertEquals(2e-6, root.path("config").path("loadSecondsPerToken").asDouble(), 1e-12);
        assertTrue(root.path("policies").path("MEPIC").has("loadedTokens"));
        assertEquals(0, root.path("policies").path("NONE").path("loadedTokens").asInt());
        r = CliRun.of("replay", "--workload", "long-prompt", "--chunks", "4", "--requests", "30", "--policy", "epic");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("warm chunk store"), r.out());
    }

    @Test
    void storeTiersAndTheirCostsReachTheJson() throws Exception {
        CliRun r = CliRun.of("replay", "--workload", "long-prompt", "--chunks", "4", "--requests", "30", "--policy", "epic",
                "--store-tiers", "memory:20000,disk:100000,redis", "--load-us-per-token", "disk=50", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode tiers = root.path("config").path("storeTiers");
        assertEquals(3, tiers.size());
        assertEquals("memory", tiers.get(0).path("name").asText());
        assertEquals(20000, tiers.get(0).path("capacityTokens").asLong());
        assertEquals(5e-6, tiers.get(0).path("loadSecondsPerToken").asDouble(), 1e-12, "memory keeps its default");
        assertEquals(50e-6, tiers.get(1).path("loadSecondsPerToken").asDouble(), 1e-12);
        assertTrue(tiers.get(2).path("capacityTokens").isNull(), "the last tier is unbounded");
        JsonNode epic = root.path("policies").path("EPIC");
        JsonNode byTier = epic.path("loadedTokensByTier");
        long sum = byTier.path("memory").asLong() + byTier.path("disk").asLong() + byTier.path("redis").asLong();
        assertEquals(epic.path("loadedTokens").asLong(), sum);
        assertTrue(byTier.path("redis").asLong() > 0 && byTier.path("memory").asLong() > 0, byTier.toString());
        r = CliRun.of("replay", "--workload", "long-prompt", "--chunks", "4", "--requests", "30", "--policy", "epic",
                "--store-tiers", "memory:20000,redis");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("EPIC loaded tokens by tier: memory"), r.out());
    }

    @Test
    void badStoreTiersFailNamingTheOption() {
        String[][] bad = {
            {"--store-tiers", "memory,redis"},
            {"--store-tiers", "memory:10,redis:20"},
            {"--store-tiers", "memory:ten,redis"},
            {"--store-tiers", "tape"},
            {"--store-tiers", "memory:10,memory"},
            {"--store-tiers", "memory:0,redis"},
        };
        for (String[] option : bad) {
            CliRun r = CliRun.of("replay", option[0], option[1]);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("--store-tiers: "), r.err());
        }
        CliRun r = CliRun.of("replay", "--store-tiers", "memory:10,redis", "--load-us-per-token", "3");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("--load-us-per-token: the store has 2 tiers"), r.err());
        r = CliRun.of("replay", "--store-tiers", "memory:10,redis", "--load-us-per-token", "disk=3");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("--load-us-per-token: 'disk=3'"), r.err());
    }

    @Test
    void badOptionsFailWithAClearMessage() {
        CliRun s = CliRun.of("replay", "--chunk-store", "lukewarm");
        assertEquals(2, s.code());
        assertTrue(s.err().contains("--chunk-store"), s.err());
        s = CliRun.of("replay", "--load-us-per-token", "-1");
        assertEquals(2, s.code());
        assertTrue(s.err().startsWith("--load-us-per-token: must be a finite number >= 0"), s.err());
        CliRun r = CliRun.of("replay", "--qps", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("--qps: must be a finite number > 0"), r.err());
        // Each message starts with the option the user typed, not the name of a parameter inside.
        String[][] named = {{"--corpus", "0"}, {"--chunk-tokens", "0"}, {"--output-tokens", "-1"}, {"--zipf", "NaN"},
            {"--hbm-blocks", "0"}};
        for (String[] option : named) {
            CliRun bad = CliRun.of("replay", option[0], option[1]);
            assertEquals(2, bad.code(), bad.err());
            assertTrue(bad.err().startsWith(option[0] + ": "), bad.err());
        }
        r = CliRun.of("replay", "--policy", "lru");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("policy"), r.err());
        r = CliRun.of("replay", "--workload", "trivia");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--workload"), r.err());
        r = CliRun.of("replay", "--chart", "x.gif");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--chart"), r.err());
    }

    @Test
    void benchCacheReportsAMedian() throws Exception {
        CliRun r = CliRun.of("bench", "cache", "--chunks", "4", "--iterations", "50", "--runs", "3", "--warmup", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertTrue(root.get("medianMicros").asDouble() > 0);
        assertEquals(4, root.get("chunks").asInt());
    }
}
