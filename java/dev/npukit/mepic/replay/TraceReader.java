package dev.npukit.mepic.replay;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import dev.npukit.util.Utf8Lines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JSON Lines trace, one request per line:
 * <pre>{"arrival": 0.25, "outputTokens": 64, "segments": [
 *   {"kind": "chunk", "id": "doc-17", "length": 512},
 *   {"kind": "chunk", "tokens": [101, 2023, 318]},
 *   {"kind": "prompt", "length": 40}]}</pre>
 * {@code arrival} (seconds, at most {@value #MAX_ARRIVAL_S}) is optional: without it the replay draws Poisson
 * arrivals. A segment gives either {@code tokens} or a {@code length}; with a length, a chunk's tokens are
 * derived from its {@code id} (the same id and length always give the same chunk) and a prompt's are unique to
 * its line unless it has an id. {@code outputTokens} defaults to 0. Blank lines and lines starting with
 * {@code #} are skipped; other fields are ignored.
 *
 * <p>Numbers are taken as written or refused, never converted: an integer field refuses {@code 12.9},
 * {@code 40.0}, {@code "40"} and anything beyond the range of a Java int (Jackson's coercion settings, not
 * hand checks, enforce it). Every error names the file, the line and the field.
 */
public final class TraceReader {
    /**
     * Latest arrival accepted, seconds (about 31 years). Latencies are differences of simulated times near the
     * arrivals; below this bound a double still resolves them to a microsecond, at 1e308 it would not resolve
     * a year.
     */
    public static final double MAX_ARRIVAL_S = 1e9;

    /**
     * Heap bytes a token of the trace takes while it is read: the reader's array and the {@link Segment}'s own
     * copy, 4 bytes each.
     */
    public static final int BYTES_PER_TOKEN = 8;

    /** Longest line read: 64 MiB, about ten million token ids. */
    static final int MAX_LINE_BYTES = 64 << 20;

    /** One line of the trace as written; null where a field is absent. */
    private record Line(Double arrival, Integer outputTokens, List<Seg> segments) {
    }

    private record Seg(String kind, String id, Integer length, int[] tokens) {
    }

    private static final ObjectReader LINE = strictReader();

    private static final Pattern OUT_OF_RANGE = Pattern.compile("Numeric value \\((.*?)\\) out of range");
    private static final Pattern GIVEN_VALUE = Pattern.compile("(?:String|Floating-point|Integer) value \\((.*?)\\)");
    private static final Pattern GIVEN_TOKEN = Pattern.compile("token `JsonToken\\.(\\w+)`");

    private TraceReader() {
    }

    private static ObjectReader strictReader() {
        JsonMapper m = JsonMapper.builder()
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        m.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return m.readerFor(Line.class);
    }

    /**
     * Reads {@code file}, refusing a trace whose tokens would not fit in the free heap ({@value #BYTES_PER_TOKEN}
     * bytes per token).
     *
     * @param file a JSON Lines trace, strict UTF-8
     * @return one request per non-blank, non-comment line, in file order
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file, line and field, for a malformed line, a bad field, a trace
     *     too large for the heap, or a trace without requests
     */
    public static List<ReplayRequest> read(Path file) throws IOException {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return read(file, free / BYTES_PER_TOKEN);
    }

    /**
     * Reads {@code file}, refusing it at the first segment that brings the trace beyond {@code maxTokens}
     * tokens, before that segment's tokens are allocated.
     *
     * @param file a JSON Lines trace, strict UTF-8
     * @param maxTokens the most tokens the whole trace may hold
     * @return one request per non-blank, non-comment line, in file order
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file, line and field, for a malformed line, a bad field, more than
     *     {@code maxTokens} tokens, or a trace without requests
     */
    public static List<ReplayRequest> read(Path file, long maxTokens) throws IOException {
        List<ReplayRequest> out = new ArrayList<>();
        long[] tokens = {0};
        try {
            readLines(file, maxTokens, out, tokens);
        } catch (IllegalArgumentException e) {
            // Errors of the line reader (not UTF-8, a line too long) name the file and line but not the trace.
            throw e.getMessage().startsWith("trace: ") ? e : new IllegalArgumentException("trace: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("trace: " + file + " has no requests");
        }
        return out;
    }

    private static void readLines(Path file, long maxTokens, List<ReplayRequest> out, long[] tokens) throws IOException {
        Utf8Lines.forEach(file, MAX_LINE_BYTES, (lineNo, line) -> {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                return;
            }
            String where = "trace: " + file + " line " + lineNo + ": ";
            Line parsed;
            try {
                parsed = LINE.readValue(text);
            } catch (JacksonException e) {
                throw new IllegalArgumentException(where + describe(e), e);
            }
            try {
                out.add(request(parsed, lineNo, tokens, maxTokens));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        });
    }

    private static ReplayRequest request(Line line, int lineNo, long[] tokens, long maxTokens) {
        double arrival = Double.NaN;
        if (line.arrival() != null) {
            arrival = line.arrival();
            if (!(arrival >= 0 && arrival <= MAX_ARRIVAL_S)) {
                throw new IllegalArgumentException("arrival: must be a number of seconds in [0, 1e9], got " + line.arrival());
            }
        }
        int output = line.outputTokens() == null ? 0 : line.outputTokens();
        if (output < 0) {
            throw new IllegalArgumentException("outputTokens: must be an integer >= 0, got " + output);
        }
        if (line.segments() == null || line.segments().isEmpty()) {
            throw new IllegalArgumentException("segments: must be a non-empty array");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < line.segments().size(); i++) {
            segments.add(segment(line.segments().get(i), lineNo, i, tokens, maxTokens));
        }
        return new ReplayRequest(arrival, new Request(segments, output));
    }

    private static Segment segment(Seg s, int lineNo, int index, long[] total, long maxTokens) {
        String field = "segments[" + index + "].";
        if (s == null) {
            throw new IllegalArgumentException("segments[" + index + "]: must be an object, got null");
        }
        String kind = s.kind() == null ? "" : s.kind();
        boolean chunk = switch (kind) {
            case "chunk" -> true;
            case "prompt" -> false;
            default -> throw new IllegalArgumentException(field + "kind: expected \"chunk\" or \"prompt\", got \"" + kind + "\"");
        };
        int[] tokens;
        if (s.tokens() != null) {
            tokens = s.tokens();
            count(field + "tokens", total, tokens.length, maxTokens);
        } else {
            if (s.length() == null || s.length() <= 0) {
                throw new IllegalArgumentException(field + "length: needs tokens or a length > 0, got " + s.length());
            }
            if (chunk && s.id() == null) {
                throw new IllegalArgumentException(field + "id: a chunk without tokens needs an id");
            }
            count(field + "length", total, s.length(), maxTokens);
            String key = s.id() != null ? (chunk ? "chunk:" : "prompt:") + s.id() : "line:" + lineNo + ":" + index;
            tokens = SyntheticTokens.of(key, s.length());
        }
        return chunk ? Segment.chunk(tokens) : Segment.prompt(tokens);
    }

    private static void count(String field, long[] total, int add, long maxTokens) {
        total[0] += add;
        if (total[0] > maxTokens) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: the trace's tokens up to here, %d, need"
                    + " about %.1f GB of heap (%d bytes each); the heap has room for %d tokens", field, total[0],
                    total[0] * (double) BYTES_PER_TOKEN / 1e9, BYTES_PER_TOKEN, maxTokens));
        }
    }

    /** A Jackson error as "field: what is wrong": the path in trace terms, the problem without Jackson's hints. */
    private static String describe(JacksonException e) {
        String original = e.getOriginalMessage();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof StreamReadException r && !(c instanceof InputCoercionException)) {
                // A syntax error, also when data binding met it: Jackson's location notes name no file.
                String m = r.getOriginalMessage();
                int note = m.indexOf(" (start marker at");
                return "not JSON: " + oneLine(note >= 0 ? m.substring(0, note) : m)
                        + (r.getLocation() != null ? " (column " + r.getLocation().getColumnNr() + ")" : "");
            }
        }
        if (!(e instanceof JsonMappingException m)) {
            return "not JSON: " + oneLine(original);
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        String where = path.length() == 0 ? "the line" : path.toString();
        Matcher range = OUT_OF_RANGE.matcher(original);
        if (range.find()) {
            return where + ": must be an integer in [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "], got " + range.group(1);
        }
        String expected = expected(m);
        if (expected == null) {
            return where + ": " + oneLine(original);
        }
        String got = null;
        Matcher value = GIVEN_VALUE.matcher(original);
        Matcher token = GIVEN_TOKEN.matcher(original);
        if (e instanceof InvalidFormatException f && f.getValue() != null) {
            got = f.getValue() instanceof String str ? "\"" + str + "\"" : String.valueOf(f.getValue());
        } else if (value.find()) {
            got = value.group(1);
        } else if (token.find()) {
            got = switch (token.group(1)) {
                case "START_ARRAY" -> "an array";
                case "START_OBJECT" -> "an object";
                case "VALUE_STRING" -> "a string";
                case "VALUE_NUMBER_INT" -> "an integer";
                case "VALUE_NUMBER_FLOAT" -> "a number";
                case "VALUE_TRUE" -> "true";
                case "VALUE_FALSE" -> "false";
                case "VALUE_NULL" -> "null";
                default -> null;
            };
        }
        return where + ": must be " + expected + (got == null ? "" : ", got " + got);
    }

    private static String expected(JsonMappingException m) {
        if (!(m instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mi) || mi.getTargetType() == null) {
            return null;
        }
        Class<?> t = mi.getTargetType();
        if (t == Integer.class || t == int.class) {
            return "an integer";
        }
        if (t == Double.class || t == double.class) {
            return "a number";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t == int[].class) {
            return "an array of integers";
        }
        if (List.class.isAssignableFrom(t)) {
            return "an array";
        }
        return "an object";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ");
    }
}
