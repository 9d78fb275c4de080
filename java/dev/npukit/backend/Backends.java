package dev.npukit.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends by name and picks the best one.
 *
 * <p>{@link #best()} honours, in order: the system property {@code npukit.backend}, the
 * environment variable {@code NPUKIT_BACKEND}, then the first available of ascend, cpu,
 * reference, where an emulated ascend backend (mode "emu") does not count: the emulator checks
 * the kernels' correctness on the CPU and is far slower than the cpu backend, so it runs only
 * when asked for by name. Backends are created once and shared.
 */
public final class Backends {
    /** Every backend name, best first. */
    public static final List<String> NAMES = List.of("ascend", CpuBackend.NAME, ReferenceBackend.NAME);

    private static final Map<String, Backend> LOADED = new ConcurrentHashMap<>();

    private Backends() {
    }

    /**
     * The backend of that name, created on first use and shared.
     *
     * @param name one of {@link #NAMES}, case-insensitive
     * @return the backend
     * @throws BackendUnavailableException saying why, when it cannot run here
     * @throws IllegalArgumentException for an unknown or null name
     */
    public static Backend get(String name) {
        String key = normalize(name);
        Backend b = LOADED.get(key);
        if (b != null) {
            return b;
        }
        synchronized (Backends.class) {
            return LOADED.computeIfAbsent(key, Backends::create);
        }
    }

    /**
     * The configured backend if one is set, else the best available one (see the class comment).
     *
     * @return the backend
     * @throws IllegalArgumentException naming the setting, when it names an unknown backend
     * @throws BackendUnavailableException when the configured backend cannot run here
     */
    public static Backend best() {
        String configured = System.getProperty("npukit.backend");
        String source = "system property npukit.backend";
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("NPUKIT_BACKEND");
            source = "environment variable NPUKIT_BACKEND";
        }
        if (configured != null && !configured.isBlank()) {
            try {
                return get(configured);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
            }
        }
        for (String name : NAMES) {
            BackendInfo info = info(name);
            if (info.available() && !info.mode().equals("emu")) {
                return get(name);
            }
        }
        throw new AssertionError("the reference backend is always available");
    }

    /**
     * Availability of one backend; loads it if it is not loaded yet.
     *
     * @param name one of {@link #NAMES}, case-insensitive
     * @return its availability, with the reason when it is unavailable
     * @throws IllegalArgumentException for an unknown or null name (never for a known one)
     */
    public static BackendInfo info(String name) {
        String key = normalize(name);
        try {
            return get(key).info();
        } catch (BackendUnavailableException e) {
            return new BackendInfo(key, false, e.getMessage(), "none");
        }
    }

    /**
     * Availability of every backend.
     *
     * @return one entry per name of {@link #NAMES}, best first
     */
    public static List<BackendInfo> all() {
        List<BackendInfo> out = new ArrayList<>();
        for (String name : NAMES) {
            out.add(info(name));
        }
        return out;
    }

    /**
     * Every backend that can run here.
     *
     * @return the available backends, best first
     */
    public static List<Backend> available() {
        List<Backend> out = new ArrayList<>();
        for (String name : NAMES) {
            if (info(name).available()) {
                out.add(get(name));
            }
        }
        return out;
    }

    private static String normalize(String name) {
        if (name == null) {
            throw new IllegalArgumentException("backend name is null; expected one of " + NAMES);
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(key)) {
            throw new IllegalArgumentException("unknown backend '" + name + "'; expected one of " + NAMES);
        }
        return key;
    }

    private static Backend create(String name) {
        switch (name) {
            case ReferenceBackend.NAME:
                return new ReferenceBackend();
            case CpuBackend.NAME:
                return CpuBackend.load();
            default:
                return AscendBackend.load();
        }
    }
}
