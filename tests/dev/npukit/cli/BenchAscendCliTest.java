package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code npukit bench ascend}: the Atlas A2 cost model over the emulator's counters, in an
 * emulator build (the test build is one unless CANN is installed). The model's arithmetic is
 * checked by hand in native/ascend/tests/matmul_test.cpp; here, the report's contract.
 */
class BenchAscendCliTest {
    @Test
    void bgmvAndMatmulRowsCarryCountersAndModelledTimes() throws Exception {
        CliRun r = CliRun.of("bench", "ascend", "--family", "bgmv,matmul", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode kernels = new ObjectMapper().readTree(r.out()).get("kernels");
        Set<String> names = new HashSet<>();
        for (JsonNode k : kernels) {
            names.add(k.get("name").asText());
            long gm = k.get("gmBytes").asLong();
            double hbm = k.get("hbmBoundUs").asDouble();
            assertTrue(gm > 0 && k.get("vectorRepeats").asLong() > 0, k.toString());
            assertTrue(k.get("scalarAccesses").asLong() >= 0 && k.get("barriers").asLong() >= 0, k.toString());
            assertEquals(k.get("scalarAccesses").asDouble() / k.get("elements").asDouble(),
                    k.get("scalarPerElement").asDouble(), 1e-4, "scalar accesses per input element: " + k);
            String name = k.get("name").asText();
            if (name.startsWith("bgmv")) {
                // The bound counts the bytes the call must move (bgmvBytes), fewer than its launches move.
                double must = bgmvBytes(name, k.get("shape").asText());
                assertEquals(must / 1.6e6, hbm, 1e-3 + 1e-6 * hbm, "BGMV bound: " + k);
                assertTrue(gm >= must, "the launches move at least the call's bytes: " + k);
            } else {
                assertEquals(gm / 1.6e6, hbm, 1e-3 + 1e-6 * hbm, "hbmBoundUs = gmBytes / 1.6 TB/s: " + k);
            }
            long l2 = k.get("l2Bytes").asLong();
            if (name.equals("bgmv_expand")) {
                // The cube expand hands v's parts and the tile sums over through its workspaces; the
                // bytes outside them still cover the call's.
                assertTrue(l2 > 0 && gm - l2 >= bgmvBytes(name, k.get("shape").asText()), "expand's workspaces: " + k);
            } else {
                assertEquals(0, l2, "no workspace in these launches: " + k);
            }
            assertTrue(k.get("modelledUs").asDouble() >= hbm - 1e-3, "the model is never under the HBM bound: " + k);
            assertTrue(k.get("shape").asText().contains("B=") || k.get("shape").asText().contains("M="), k.toString());
        }
        assertEquals(Set.of("bgmv_shrink", "bgmv_expand", "matmul"), names);
        // bgmv shrink reads at least the used adapters' weights: 4 adapters x 8 x 1024 BF16.
        long shrinkBytes = kernels.get(0).get("gmBytes").asLong();
        assertTrue(shrinkBytes >= 4L * 8 * 1024 * 2, "shrink reads its weights: " + shrinkBytes);
    }

    /**
     * The bytes a BGMV call of the bench must move (BenchAscendCommand: BF16 x, A, W and y, F32 v,
     * I32 indices; every other row has an adapter, dealt round-robin over 4 adapters at hidden 1024
     * and 8 at 4096, each used): the indices, x (shrink) or v and y read and written (expand) of the
     * rows with an adapter, each adapter's weights once, and for shrink v written for every row.
     */
    private static long bgmvBytes(String name, String shape) {
        Matcher m = Pattern.compile("B=(\\d+) hidden=(\\d+) rank=(\\d+)").matcher(shape);
        assertTrue(m.find(), shape);
        long batch = Long.parseLong(m.group(1));
        long hidden = Long.parseLong(m.group(2));
        long rank = Long.parseLong(m.group(3));
        long adapters = hidden == 1024 ? 4 : 8;
        long rows = batch / 2;
        long weights = adapters * rank * hidden * 2;
        if (name.equals("bgmv_shrink")) {
            return batch * 4 + rows * hidden * 2 + weights + batch * rank * 4;
        }
        return batch * 4 + rows * (rank * 4 + 2 * hidden * 2) + weights;
    }

    @Test
    void attentionBoundCountsTheCallsBytesAndTheL2ServesTheCubeWorkspaces() throws Exception {
        CliRun r = CliRun.of("bench", "ascend", "--family", "attention", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode kernels = new ObjectMapper().readTree(r.out()).get("kernels");
        assertEquals(8, kernels.size(), kernels.toString());
        for (JsonNode k : kernels) {
            String shape = k.get("shape").asText();
            long kvLen = shape.contains("kvLen=1024") ? 1024 : 4096;
            boolean rope = shape.endsWith(" NEOX");
            assertTrue(rope || shape.endsWith(" NONE"), shape);
            // What the call must move: the F16 caches, F32 q and out, F32 cos/sin rows of every slot.
            long must = 2L * k.get("elements").asLong() + 2L * 8 * 32 * 128 * 4 + (rope ? 8L * kvLen * 128 * 4 : 0);
            double boundBytes = k.get("hbmBoundUs").asDouble() * 1.6e6;
            // ... plus the split partials (written, then read by the merge): a few percent at most.
            assertTrue(boundBytes >= must - 1 && boundBytes <= must * 1.05, "bound " + boundBytes + " of " + must + ": " + k);
            // The cube and vector cores' workspaces move more; the L2 serves them (their 14.6 MB fit in
            // its 192 MB), so the modelled time's HBM floor counts the bytes outside them, which
            // still cover the call's.
            long gm = k.get("gmBytes").asLong();
            long l2 = k.get("l2Bytes").asLong();
            assertTrue(gm > boundBytes && l2 > 0 && l2 < gm, k.toString());
            assertTrue(gm - l2 >= boundBytes - 1, "the bytes outside the workspaces cover the call's: " + k);
            assertTrue(k.get("modelledUs").asDouble() >= (gm - l2) / 1.6e6 - 1e-3, k.toString());
            // With NEOX the rotated keys go through a workspace: written and read again, 2 bytes
            // each way per key element (half the KV elements).
            if (rope) {
                assertTrue(l2 >= 2L * k.get("elements").asLong(), "rotated keys' round trip in the L2: " + k);
            }
        }
    }

    @Test
    void unknownFamilyIsAUsageError() {
        CliRun r = CliRun.of("bench", "ascend", "--family", "conv");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("--family: "), r.err());
    }
}
