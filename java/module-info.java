/**
 * npukit: native LLM-serving kernels (paged attention with fused RoPE, KV cache write, rope,
 * contrastive scoring, BGMV, matmul, RMS norm, SiLU-and-multiply, embedding) behind one
 * {@code Backend} interface, and the serving layers built on them (KV chunk reuse, contrastive
 * decoding, SQL data alignment, a Llama model).
 *
 * <p>The exported packages are the API. {@code dev.npukit.bridge} (the JavaCPP bindings),
 * {@code dev.npukit.internal} (tensor storage, reference counting of kernel calls, the backends'
 * shared base class, marshalling into the native ABI), {@code dev.npukit.bench} (benchmark
 * helpers), {@code dev.npukit.cli} and {@code dev.npukit.util} (argument checks, file helpers)
 * are implementation. The backend classes {@code CpuBackend}, {@code AscendBackend} and
 * {@code ReferenceBackend} stay public for their names and backend-specific information
 * (instruction-set path, emulator mode); they are obtained from {@code Backends}, not
 * constructed. The jar also works on the class path, where none of this is enforced.
 */
@SuppressWarnings("requires-automatic") // XChart and Jedis ship no module descriptor
module dev.npukit {
    exports dev.npukit.tensor;
    exports dev.npukit.backend;
    exports dev.npukit.kernels;
    exports dev.npukit.mepic;
    exports dev.npukit.mepic.replay;
    exports dev.npukit.check;
    exports dev.npukit.cold;
    exports dev.npukit.sqlalign;
    exports dev.npukit.model;
    exports dev.npukit.serving;
    exports dev.npukit.serving.store;

    requires org.bytedeco.javacpp;
    requires com.fasterxml.jackson.databind;
    // The command line, the replay charts and the Redis tier: optional dependencies in the pom,
    // needed only by the code that uses them.
    requires static info.picocli;
    requires static org.knowm.xchart;
    requires static redis.clients.jedis;
    // The command line's machine report and timing, and the charts: static for the same reason.
    requires static java.management;
    requires static jdk.management;
    requires static java.desktop;
    // dev.npukit.model.Tokenizer: Hugging Face tokenizers through DJL, optional like the above.
    requires static ai.djl.tokenizers;

    // JavaCPP's Loader reads the bridge classes' annotations and registers their natives by
    // reflection; the JNI code it generates reaches their fields.
    opens dev.npukit.bridge to org.bytedeco.javacpp;
    // TraceReader binds trace lines to private records.
    opens dev.npukit.mepic.replay to com.fasterxml.jackson.databind;
    // picocli injects @Option and @Parameters fields of the commands.
    opens dev.npukit.cli to info.picocli;
}
