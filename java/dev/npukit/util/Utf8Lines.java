package dev.npukit.util;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file line by line as strict UTF-8. Bytes that are not UTF-8 are an error naming the
 * file and line: Java's own readers decode ahead of the line they return and report only
 * {@code Input length = 1}. Lines end at {@code \n}; a {@code \r} before it is dropped.
 */
public final class Utf8Lines {
    private Utf8Lines() {
    }

    /** Receives each line with its number (from 1). */
    @FunctionalInterface
    public interface LineConsumer {
        void accept(int number, String line) throws IOException;
    }

    /**
     * Calls {@code consumer} for each line of {@code file}. A line longer than {@code maxLineBytes}
     * is refused before it is held in memory, as are invalid UTF-8 bytes: both with an
     * {@link IllegalArgumentException} that names the file and line.
     */
    public static void forEach(Path file, int maxLineBytes, LineConsumer consumer) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int number = 1;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        append(file, number, line, buf, from, i - from, maxLineBytes);
                        consumer.accept(number, decode(file, number, decoder, line));
                        line.reset();
                        number++;
                        from = i + 1;
                    }
                }
                append(file, number, line, buf, from, n - from, maxLineBytes);
            }
        }
        if (line.size() > 0) {
            consumer.accept(number, decode(file, number, decoder, line));
        }
    }

    private static void append(Path file, int number, ByteArrayOutputStream line, byte[] buf, int from, int len,
            int maxLineBytes) {
        if ((long) line.size() + len > maxLineBytes) {
            throw new IllegalArgumentException(file + " line " + number + ": longer than " + maxLineBytes + " bytes");
        }
        line.write(buf, from, len);
    }

    private static String decode(Path file, int number, CharsetDecoder decoder, ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes, 0, len)).toString();
        } catch (CharacterCodingException e) {
            int at = firstInvalidByte(bytes, len);
            throw new IllegalArgumentException(String.format("%s line %d: not UTF-8 text (byte 0x%02x at column %d)",
                    file, number, bytes[at] & 0xff, at + 1), e);
        }
    }

    /** The index of the first byte where a strict decoder stops (for the message only). */
    private static int firstInvalidByte(byte[] bytes, int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, len);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(len + 1);
        d.decode(in, out, true);
        return Math.min(in.position(), len - 1);
    }
}
