package dev.npukit.mepic.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsSegmentsArrivalsAndOutputs() throws Exception {
        Path f = dir.resolve("t.jsonl");
        Files.writeString(f, """
                # a comment
                {"arrival": 0.5, "outputTokens": 7, "segments": [{"kind": "chunk", "id": "doc1", "length": 40}, {"kind": "prompt", "length": 5}]}

                {"segments": [{"kind": "prompt", "tokens": [1, 2, 3]}, {"kind": "chunk", "id": "doc1", "length": 40}, {"kind": "prompt", "length": 5}]}
                """);
        List<ReplayRequest> t = TraceReader.read(f);
        assertEquals(2, t.size());
        assertEquals(0.5, t.get(0).arrivalS());
        assertTrue(Double.isNaN(t.get(1).arrivalS()));
        assertEquals(7, t.get(0).request().maxNewTokens());
        assertEquals(0, t.get(1).request().maxNewTokens());
        assertArrayEquals(new int[] {1, 2, 3}, t.get(1).request().segments().get(0).tokens());
        assertEquals(t.get(0).request().segments().get(0), t.get(1).request().segments().get(1), "same id, same chunk");
        assertNotEquals(t.get(0).request().segments().get(1), t.get(1).request().segments().get(2), "prompts without id differ");
    }

    @Test
    void badLinesNameTheLineAndField() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"segments\": [{\"kind\": \"chunk\", \"length\": 4}]}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f));
        assertTrue(e.getMessage().startsWith("trace: ") && e.getMessage().contains("line 1: segments[0].id"), e.getMessage());
        Files.writeString(f, "{\"segments\": [{\"kind\": \"doc\", \"length\": 4}]}\n");
        e = assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f));
        assertTrue(e.getMessage().contains("segments[0].kind"), e.getMessage());
        Files.writeString(f, "not json\n");
        assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f));
    }

    @Test
    void numbersAreTakenAsWrittenOrRefused() throws Exception {
        Path f = dir.resolve("n.jsonl");
        String[][] cases = {
            {"\"outputTokens\": 4294967297", "outputTokens: must be an integer in [-2147483648, 2147483647], got 4294967297"},
            {"\"outputTokens\": 12.9", "outputTokens: must be an integer, got 12.9"},
            {"\"outputTokens\": 40.0", "outputTokens: must be an integer, got 40.0"},
            {"\"outputTokens\": \"40\"", "outputTokens: must be an integer, got \"40\""},
            {"\"arrival\": \"0.5\"", "arrival: must be a number, got \"0.5\""},
            {"\"arrival\": 1e308", "arrival: must be a number of seconds in [0, 1e9]"},
        };
        for (String[] c : cases) {
            Files.writeString(f, "{" + c[0] + ", \"segments\": [{\"kind\": \"prompt\", \"length\": 3}]}\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f), c[0]);
            assertTrue(e.getMessage().contains("line 1: " + c[1]), e.getMessage());
        }
        Files.writeString(f, "{\"segments\": [{\"kind\": \"chunk\", \"id\": \"a\", \"length\": 4294967297}]}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f));
        assertTrue(e.getMessage().contains("segments[0].length: must be an integer in"), e.getMessage());
    }

    @Test
    void aTraceBeyondTheTokenLimitIsRefusedAtTheSegmentThatCrossesIt() throws Exception {
        Path f = dir.resolve("big.jsonl");
        Files.writeString(f, """
                {"segments": [{"kind": "chunk", "id": "a", "length": 60}]}
                {"segments": [{"kind": "prompt", "length": 30}, {"kind": "chunk", "id": "b", "length": 2000000000}]}
                """);
        Path small = dir.resolve("small.jsonl");
        Files.writeString(small, Files.readString(f).lines().findFirst().orElseThrow());
        assertEquals(1, TraceReader.read(small, 60).size(), "a trace of exactly the limit is read");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f, 100));
        assertTrue(e.getMessage().contains("line 2: segments[1].length: the trace's tokens up to here, 2000000090"),
                e.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8NameTheLine() throws Exception {
        Path f = dir.resolve("latin1.jsonl");
        byte[] ok = "{\"segments\": [{\"kind\": \"prompt\", \"length\": 3}]}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bad = "# caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(ok, ok.length * 2 + bad.length);
        System.arraycopy(ok, 0, all, ok.length, ok.length);
        System.arraycopy(bad, 0, all, 2 * ok.length, bad.length);
        Files.write(f, all);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceReader.read(f));
        assertTrue(e.getMessage().startsWith("trace: ") && e.getMessage().contains("line 3: not UTF-8"), e.getMessage());
    }
}
