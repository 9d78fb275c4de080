package dev.npukit.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets
 * relative to the data that follows the header) plus an optional {@code __metadata__} map of
 * strings, then the raw little-endian data.
 *
 * <p>{@link #open} checks the whole header against the file size before anything is read, so a
 * truncated or malformed file fails at once with a {@link SafetensorsException} naming the file
 * and, where there is one, the tensor. Tensor data is read on demand; F32, F16 and BF16 can be
 * read as floats, other dtypes are listed but reading them is an error.
 */
public final class Safetensors implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers above this are not a model header but a corrupt length field. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("F64", 8), Map.entry("F32", 4), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2), Map.entry("I8", 1),
            Map.entry("U64", 8), Map.entry("U32", 4), Map.entry("U16", 2), Map.entry("U8", 1),
            Map.entry("BOOL", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1));

    /**
     * One tensor's header entry.
     *
     * @param name the tensor's name
     * @param dtype the safetensors dtype name ("F32", "BF16", ...)
     * @param shape the dimensions
     * @param begin first byte of the data, relative to the start of the data section
     * @param end one past the last byte, relative to the start of the data section
     */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        /**
         * Elements of the tensor.
         *
         * @return the product of the dimensions (1 for a scalar)
         */
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Opens a file and validates its header: JSON, known dtypes, offsets that tile the data.
     *
     * @param file a .safetensors file
     * @return the open file; close it when done
     * @throws SafetensorsException naming the file and the problem if it is unreadable, truncated or malformed
     */
    public static Safetensors open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(file, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static Safetensors parse(Path file, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, "header length " + headerLen + " is not valid (not a safetensors file?)");
            }
            if (headerLen > size - 8) {
                throw new SafetensorsException(file, "truncated: header of " + headerLen + " bytes, but only "
                        + (size - 8) + " bytes follow the length field");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SafetensorsException(file, "header is not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new SafetensorsException(file, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    if (!f.getValue().isObject()) {
                        throw new SafetensorsException(file, "__metadata__ is not an object");
                    }
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), entry(file, f.getKey(), f.getValue(), dataSize));
            }
            return new Safetensors(file, ch, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataSize) {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) {
            throw new SafetensorsException(file, where + "header entry is not an object");
        }
        JsonNode dt = node.get("dtype");
        JsonNode sh = node.get("shape");
        JsonNode off = node.get("data_offsets");
        if (dt == null || !dt.isTextual()) {
            throw new SafetensorsException(file, where + "missing or non-string dtype");
        }
        Integer bytes = DTYPE_BYTES.get(dt.asText());
        if (bytes == null) {
            throw new SafetensorsException(file, where + "unknown dtype '" + dt.asText() + "'");
        }
        if (sh == null || !sh.isArray()) {
            throw new SafetensorsException(file, where + "missing shape");
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!sh.get(i).canConvertToLong() || !sh.get(i).isIntegralNumber() || sh.get(i).asLong() < 0) {
                throw new SafetensorsException(file, where + "shape entry " + i + " is not a non-negative integer");
            }
            shape[i] = sh.get(i).asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsException(file, where + "shape overflows");
            }
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber() || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new SafetensorsException(file, where + "data_offsets must be two integers");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new SafetensorsException(file, where + "data_offsets [" + begin + ", " + end + "] are not a range");
        }
        if (end > dataSize) {
            throw new SafetensorsException(file, where + "truncated: data ends at byte " + end + " of the data section, "
                    + "which holds only " + dataSize + " bytes");
        }
        if (numel > Long.MAX_VALUE / bytes || end - begin != numel * bytes) {
            throw new SafetensorsException(file, where + "data_offsets span " + (end - begin) + " bytes, but "
                    + dt.asText() + java.util.Arrays.toString(shape) + " needs " + numel * bytes);
        }
        return new Entry(name, dt.asText(), shape, begin, end);
    }

    /**
     * The file this reads.
     *
     * @return the path given to {@link #open}
     */
    public Path file() {
        return file;
    }

    /**
     * Header entries by name, in file order.
     *
     * @return the entries, unmodifiable
     */
    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * The header's {@code __metadata__} strings.
     *
     * @return the metadata, empty when the header has none
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Whether the file holds a tensor.
     *
     * @param name the tensor's name
     * @return true if the header has an entry of that name
     */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The entry of a tensor that must be present.
     *
     * @param name the tensor's name
     * @return its header entry
     * @throws SafetensorsException if the file has no such tensor
     */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafetensorsException(file, "tensor '" + name + "' is missing");
        }
        return e;
    }

    /**
     * The npukit dtype of a float tensor.
     *
     * @param name the tensor's name
     * @return F32, F16 or BF16
     * @throws SafetensorsException naming the tensor if it is missing or of another dtype
     */
    public DType dtype(String name) {
        Entry e = entry(name);
        return switch (e.dtype()) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new SafetensorsException(file, "tensor '" + name + "': dtype " + e.dtype()
                    + " is not supported (F32, F16 and BF16 are)");
        };
    }

    /**
     * A float tensor's elements widened to float (exact for F16 and BF16).
     *
     * @param name the tensor's name
     * @return its elements, row-major
     * @throws SafetensorsException naming the tensor if it is missing, not a float tensor or unreadable
     */
    public float[] floats(String name) {
        Entry e = entry(name);
        DType dtype = dtype(name);
        if (e.numel() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(file, "tensor '" + name + "' has " + e.numel() + " elements, too many for one array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
        try {
            readFully(channel, b, dataStart + e.begin());
        } catch (IOException ex) {
            throw new SafetensorsException(file, "tensor '" + name + "': cannot read: " + ex.getMessage(), ex);
        }
        b.flip();
        float[] out = new float[(int) e.numel()];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort());
                }
            }
            default -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort());
                }
            }
        }
        return out;
    }

    /**
     * A float tensor's elements, after checking its shape.
     *
     * @param name the tensor's name
     * @param expectedShape the dimensions it must have
     * @return its elements, row-major
     * @throws SafetensorsException naming the file and tensor if it is missing, of another shape or dtype
     */
    public float[] floats(String name, long... expectedShape) {
        Entry e = entry(name);
        if (!java.util.Arrays.equals(e.shape(), expectedShape)) {
            throw new SafetensorsException(file, "tensor '" + name + "' has shape " + java.util.Arrays.toString(e.shape())
                    + ", expected " + java.util.Arrays.toString(expectedShape));
        }
        return floats(name);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing was written; a failed close of a read-only channel loses nothing.
        }
    }

    // ---- writing ----

    /**
     * A tensor to write: float data stored as {@code dtype}. The constructor refuses another
     * dtype, or data whose length is not the shape's element count, with an
     * {@link IllegalArgumentException} naming the component.
     *
     * @param dtype the stored dtype: F32, F16 or BF16
     * @param shape the dimensions
     * @param data the elements, row-major
     */
    public record TensorData(DType dtype, long[] shape, float[] data) {
        /**
         * Checks the dtype and the data length.
         *
         * @param dtype the stored dtype: F32, F16 or BF16
         * @param shape the dimensions
         * @param data the elements, row-major, as many as the shape holds
         * @throws IllegalArgumentException naming dtype or data if either does not fit
         */
        public TensorData {
            if (dtype == null || !dtype.isFloat()) {
                throw new IllegalArgumentException("dtype: must be F32, F16 or BF16, got " + dtype);
            }
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("data: " + data.length + " values for shape " + java.util.Arrays.toString(shape));
            }
        }
    }

    /**
     * Writes tensors (sorted by name, as the reference implementation does) and metadata to
     * {@code file} through a temporary file in the same directory, so a failure leaves no
     * half-written file behind.
     *
     * @param file the file to write (replaced if present)
     * @param tensors the tensors by name
     * @param metadata the header's {@code __metadata__} strings
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        Map<String, TensorData> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
            TensorData t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", t.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = (long) t.data().length * t.dtype().byteSize();
            node.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        AtomicFiles.write(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) {
                    head.put((byte) ' ');
                }
                writeFully(ch, head.flip());
                for (TensorData t : sorted.values()) {
                    writeFully(ch, encode(t));
                }
            }
        });
    }

    private static ByteBuffer encode(TensorData t) {
        ByteBuffer b = ByteBuffer.allocate(t.data().length * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : t.data()) {
            switch (t.dtype()) {
                case F32 -> b.putFloat(f);
                case F16 -> b.putShort(HalfFloats.floatToF16(f));
                default -> b.putShort(HalfFloats.floatToBf16(f));
            }
        }
        return b.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
