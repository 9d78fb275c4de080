package dev.npukit.mepic.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON Lines trace, one request per line:
 * <pre>{"arrival": 0.25, "outputTokens": 64, "segments": [
 *   {"kind": "chunk", "id": "doc-17", "length": 512},
 *   {"kind": "chunk", "tokens": [101, 2023, 318]},
 *   {"kind": "prompt", "length": 40}]}</pre>
 * {@code arrival} (seconds) is optional: without it the replay draws Poisson arrivals. A segment gives either
 * {@code tokens} or a {@code length}; with a length, a chunk's tokens are derived from its {@code id} (the same
 * id and length always give the same chunk) and a prompt's are unique to its line unless it has an id.
 * {@code outputTokens} defaults to 0. Blank lines and lines starting with {@code #} are skipped.
 */
public final class TraceReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceReader() {
    }

    public static List<ReplayRequest> read(Path file) throws IOException {
        List<ReplayRequest> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                try {
                    out.add(parse(JSON.readTree(text), lineNo));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("trace: " + file + " line " + lineNo + ": " + e.getMessage(), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("trace: " + file + " has no requests");
        }
        return out;
    }

    private static ReplayRequest parse(JsonNode node, int lineNo) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        double arrival = Double.NaN;
        if (node.has("arrival")) {
            arrival = node.get("arrival").asDouble(Double.NaN);
            if (!(arrival >= 0)) {
                throw new IllegalArgumentException("arrival: must be a number >= 0");
            }
        }
        int output = node.has("outputTokens") ? node.get("outputTokens").asInt(-1) : 0;
        if (output < 0) {
            throw new IllegalArgumentException("outputTokens: must be an integer >= 0");
        }
        JsonNode segs = node.get("segments");
        if (segs == null || !segs.isArray() || segs.isEmpty()) {
            throw new IllegalArgumentException("segments: must be a non-empty array");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < segs.size(); i++) {
            segments.add(segment(segs.get(i), lineNo, i));
        }
        return new ReplayRequest(arrival, new Request(segments, output));
    }

    private static Segment segment(JsonNode s, int lineNo, int index) {
        String kind = s.path("kind").asText("");
        boolean chunk = switch (kind) {
            case "chunk" -> true;
            case "prompt" -> false;
            default -> throw new IllegalArgumentException("segments[" + index + "].kind: expected \"chunk\" or \"prompt\", got \"" + kind + "\"");
        };
        int[] tokens;
        if (s.has("tokens")) {
            JsonNode arr = s.get("tokens");
            if (!arr.isArray()) {
                throw new IllegalArgumentException("segments[" + index + "].tokens: must be an array of token ids");
            }
            tokens = new int[arr.size()];
            for (int t = 0; t < tokens.length; t++) {
                if (!arr.get(t).canConvertToInt()) {
                    throw new IllegalArgumentException("segments[" + index + "].tokens: element " + t + " is not an integer");
                }
                tokens[t] = arr.get(t).asInt();
            }
        } else {
            int length = s.path("length").asInt(-1);
            if (length <= 0) {
                throw new IllegalArgumentException("segments[" + index + "].length: needs tokens or a length > 0");
            }
            String id = s.has("id") ? s.get("id").asText() : null;
            if (chunk && id == null) {
                throw new IllegalArgumentException("segments[" + index + "].id: a chunk without tokens needs an id");
            }
            String key = id != null ? (chunk ? "chunk:" : "prompt:") + id : "line:" + lineNo + ":" + index;
            tokens = SyntheticTokens.of(key, length);
        }
        return chunk ? Segment.chunk(tokens) : Segment.prompt(tokens);
    }
}
