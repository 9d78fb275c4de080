package dev.npukit.backend;

/**
 * What {@code npukit info} reports for a backend.
 *
 * @param name "reference", "cpu" or "ascend"
 * @param available whether {@link Backends#get(String)} returns it
 * @param reason why it is unavailable, or a short description when available
 * @param mode how it runs: "java", "native" (cpu), "emu" or "npu" (ascend), "none" when unavailable
 */
public record BackendInfo(String name, boolean available, String reason, String mode) {
}
