package dev.npukit.bridge;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * Test-only JNI entry point of the AscendC emulator's deliberately wrong kernels
 * (native/ascendc-emu/tests/break_rule.h), built by the JavaCPP plugin into the test classes from
 * the test-only static library {@code npukit_ascend_emu_test}; nothing of it is in the jar. The
 * library links its own copy of {@code npukit_ascend}, so its errors are read with
 * {@link #npukit_emu_test_last_error()}, not the backend's.
 */
@Platform(include = "break_rule.h", link = {"npukit_ascend", "npukit_ascend_emu_test"},
        library = "jniEmuRuleKernels")
public final class EmuRuleKernels {
    static {
        Loader.load();
    }

    private EmuRuleKernels() {
    }

    /** Launches the kernel breaking rule 0..7 (see break_rule.h) and returns the status. */
    public static native int npukit_emu_test_break_rule(int rule);

    public static native @Cast("const char*") BytePointer npukit_emu_test_last_error();
}
