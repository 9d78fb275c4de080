package dev.npukit.internal;

import dev.npukit.backend.NpukitException;
import dev.npukit.bridge.AscendKernels;
import dev.npukit.bridge.CpuKernels;

/** Turns the native status codes of the cpu and ascend libraries into exceptions carrying the native message. */
public final class NativeStatus {
    private NativeStatus() {
    }

    /** Throws {@link NpukitException} with the cpu library's last error unless {@code status} is 0. */
    public static void checkCpu(int status) {
        if (status != 0) {
            throw new NpukitException("native kernel failed (status " + status + "): "
                    + CpuKernels.npukit_last_error().getString());
        }
    }

    /** Throws {@link NpukitException} with the ascend library's last error (the ACL call and code) unless {@code status} is 0. */
    public static void checkAscend(int status) {
        if (status != 0) {
            throw new NpukitException("ascend kernel failed (status " + status + "): "
                    + AscendKernels.npukit_ascend_last_error().getString());
        }
    }
}
