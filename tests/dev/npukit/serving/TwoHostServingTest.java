package dev.npukit.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.backend.Backends;
import dev.npukit.bench.LocalRedis;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.model.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two serving hosts, one Redis: a real redis-server on a loopback port (or a real three-master Redis Cluster), and
 * {@link ServingChild} run as two JVM
 * processes one after the other against it. The first computes every document chunk and stores it; the second
 * computes none (only first blocks and prompts, exactly the tokens the first computed while serving) and loads
 * every chunk from Redis, and both give the tokens and logits of this JVM serving with a memory store of its own.
 */
class TwoHostServingTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} masters")
    @ValueSource(ints = {1, 3})
    void theSecondHostLoadsEveryChunkTheFirstStored(int masters) throws Exception {
        List<Request> requests = ServingChild.workload();
        ServingEngine.Result local;
        long distinctChunks;
        try (LlamaModel m = new LlamaModel(Backends.get("cpu"), ServingChild.weights(), List.of());
                ServingEngine e = new ServingEngine(m, Policy.MEPIC, 512, ServingChild.BLOCK, 4)) {
            local = ServingChild.serve(e, requests);
            distinctChunks = e.chunkStoreStats().chunksComputed();
        }
        assertTrue(distinctChunks > 0);
        JsonNode[] hosts = new JsonNode[2];
        try (LocalRedis redis = masters == 1 ? LocalRedis.standalone() : LocalRedis.cluster(masters)) {
            for (int h = 0; h < 2; h++) {
                Path log = dir.resolve("host" + h + ".log");
                Path out = dir.resolve("host" + h + ".json");
                int exit = ServingChild.run(log, redis.uri(), out);
                assertEquals(0, exit, "host " + h + ": " + Files.readString(log));
                hosts[h] = new ObjectMapper().readTree(out.toFile());
                assertEquals("redis", hosts[h].path("kind").asText());
            }
        }
        assertEquals(distinctChunks, hosts[0].path("chunksComputed").asLong(), "host one computes every chunk");
        assertEquals(0, hosts[1].path("chunksComputed").asLong(), "host two computes no chunk");
        assertTrue(hosts[1].path("chunksLoaded").asLong() >= distinctChunks, hosts[1].toString());
        for (JsonNode h : hosts) {
            assertEquals(local.computedTokens(), h.path("computedTokens").asLong(), h.toString());
            assertEquals(local.loadedTokens(), h.path("loadedTokens").asLong(), h.toString());
            for (int i = 0; i < requests.size(); i++) {
                ServingEngine.Served want = local.requests().get(i);
                JsonNode got = h.path("requests").get(i);
                assertEquals(want.tokens().length, got.path("tokens").size());
                for (int t = 0; t < want.tokens().length; t++) {
                    assertEquals(want.tokens()[t], got.path("tokens").get(t).asInt(), "request " + i);
                }
                assertEquals(want.firstLogits().length, got.path("logits").size());
                for (int v = 0; v < want.firstLogits().length; v++) {
                    assertEquals(want.firstLogits()[v], got.path("logits").get(v).floatValue(), "request " + i);
                }
            }
        }
    }
}
