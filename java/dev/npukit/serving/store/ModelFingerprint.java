package dev.npukit.serving.store;

import dev.npukit.model.LlamaConfig;
import dev.npukit.util.Check;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model part of a {@link ChunkKey}: {@code sha256:} and the hex SHA-256 of the model's config (every field of
 * {@link LlamaConfig}, in its record form) and of a weights identity. Two models share stored KV only when both
 * match, so a fine-tuned checkpoint with the same shapes never reads its base model's KV.
 */
public final class ModelFingerprint {
    private ModelFingerprint() {
    }

    /**
     * The fingerprint of {@code config} with weights named by {@code weightsIdentity}: a string that changes
     * whenever the weights do (a content hash from {@link #ofSafetensors}, a release tag, or {@code "random:SEED"}
     * for generated weights).
     *
     * @param config the model's configuration; every field takes part
     * @param weightsIdentity a non-empty name of the weights
     * @return {@code sha256:} and 64 lowercase hex digits
     * @throws IllegalArgumentException if {@code config} is null or {@code weightsIdentity} is null or empty
     */
    public static String of(LlamaConfig config, String weightsIdentity) {
        Check.arg(config != null, "config", "is null");
        Check.arg(weightsIdentity != null && !weightsIdentity.isEmpty(), "weightsIdentity", "is null or empty");
        MessageDigest md = sha256();
        md.update(("npukit-model-v1\n" + config + "\n" + weightsIdentity).getBytes(StandardCharsets.UTF_8));
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    /**
     * The fingerprint of {@code config} with the weights in {@code dir}: SHA-256 over the name, size and full
     * content of every {@code *.safetensors} file in it, in name order. Reads every weight byte once (about as long
     * as loading the weights from a cold page cache), so compute it once per process.
     *
     * @param config the model's configuration
     * @param dir the folder holding the model's {@code *.safetensors} files
     * @return {@code sha256:} and 64 lowercase hex digits
     * @throws IllegalArgumentException if {@code dir} is not a directory or holds no {@code .safetensors} file, or
     *     {@code config} is null
     * @throws java.io.UncheckedIOException if a file cannot be listed or read
     */
    public static String ofSafetensors(LlamaConfig config, Path dir) {
        Check.arg(dir != null && Files.isDirectory(dir), "dir", "is not a directory: %s", dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        Check.arg(!files.isEmpty(), "dir", "holds no .safetensors file: %s", dir);
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                md.update((f.getFileName() + "\n" + Files.size(f) + "\n").getBytes(StandardCharsets.UTF_8));
                for (int n; (n = in.read(buf)) > 0;) {
                    md.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        return of(config, "safetensors-sha256:" + HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
