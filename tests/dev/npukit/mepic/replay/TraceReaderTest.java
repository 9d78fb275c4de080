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
}
