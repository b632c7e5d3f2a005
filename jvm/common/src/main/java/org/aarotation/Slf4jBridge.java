package org.aarotation;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs the native library's lines through SLF4J when SLF4J is on the class path, found by
 * reflection so that the artifact does not depend on it. Logger names are the Rust module
 * paths with dots, such as {@code aa_rotation.engine}.
 */
final class Slf4jBridge {
    private static final String ROOT_LOGGER = "aa_rotation";
    private static final MethodHandle GET_LOGGER;
    private static final Map<String, MethodHandle> LOG_METHODS;
    private static final Map<String, MethodHandle> ENABLED_METHODS;

    static {
        MethodHandle getLogger = null;
        Map<String, MethodHandle> log = new ConcurrentHashMap<>();
        Map<String, MethodHandle> enabled = new ConcurrentHashMap<>();
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> factory = Class.forName("org.slf4j.LoggerFactory", false, Slf4jBridge.class.getClassLoader());
            Class<?> logger = Class.forName("org.slf4j.Logger", false, Slf4jBridge.class.getClassLoader());
            getLogger = lookup.findStatic(factory, "getLogger", MethodType.methodType(logger, String.class));
            for (String level : new String[] {"error", "warn", "info", "debug", "trace"}) {
                String name = level.toUpperCase(Locale.ROOT);
                log.put(name, lookup.findVirtual(logger, level, MethodType.methodType(void.class, String.class)));
                String check = "is" + Character.toUpperCase(level.charAt(0)) + level.substring(1) + "Enabled";
                enabled.put(name, lookup.findVirtual(logger, check, MethodType.methodType(boolean.class)));
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            getLogger = null;
        }
        GET_LOGGER = getLogger;
        LOG_METHODS = log;
        ENABLED_METHODS = enabled;
    }

    private static final Map<String, Object> LOGGERS = new ConcurrentHashMap<>();

    private Slf4jBridge() {}

    /** Returns whether SLF4J was found. */
    static boolean available() {
        return GET_LOGGER != null;
    }

    /**
     * Returns the most verbose level enabled for the {@code aa_rotation} logger, or {@code OFF}
     * when SLF4J is missing or has no provider. The native library forwards nothing below it.
     */
    static String maxLevel() {
        if (!available()) {
            return "OFF";
        }
        Object logger = logger(ROOT_LOGGER);
        for (String level : new String[] {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}) {
            try {
                if ((boolean) ENABLED_METHODS.get(level).invoke(logger)) {
                    return level;
                }
            } catch (Throwable e) {
                return "OFF";
            }
        }
        return "OFF";
    }

    private static Object logger(String name) {
        return LOGGERS.computeIfAbsent(name, key -> {
            try {
                return GET_LOGGER.invoke(key);
            } catch (Throwable e) {
                throw new IllegalStateException("SLF4J could not create logger " + key, e);
            }
        });
    }

    /** Logs one line at {@code level} to the logger of {@code target}. */
    static void log(String level, String target, String message) {
        MethodHandle method = LOG_METHODS.get(level);
        if (method == null || !available()) {
            return;
        }
        try {
            method.invoke(logger(target.replace("::", ".")), message);
        } catch (Throwable e) {
            // A failing logging backend must not fail the library's work.
        }
    }
}
