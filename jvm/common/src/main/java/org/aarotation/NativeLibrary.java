package org.aarotation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Finds the native library before the generated bindings load it.
 *
 * <p>Both generated bindings load the library named by the system property {@value
 * #UNIFFI_PROPERTY} when it is set. This class sets it, in this order, to: the path in {@value
 * #PATH_PROPERTY}; the library shipped in the jar under {@code /native/<os>-<arch>/}, copied to
 * a private temporary folder because a library cannot be loaded from inside a jar. When
 * neither exists, the property stays unset and the bindings search the system library path
 * ({@code java.library.path}, and for JNA also {@code jna.library.path}).
 */
final class NativeLibrary {
    /** System property with the path of the native library, overriding the one in the jar. */
    static final String PATH_PROPERTY = "aa.rotation.library.path";

    /** The property that the generated bindings of the {@code aa_rotation_jvm} library read. */
    static final String UNIFFI_PROPERTY = "uniffi.component.aa_rotation_jvm.libraryOverride";

    private static final String LIBRARY = "aa_rotation_jvm";

    private static boolean prepared;

    private NativeLibrary() {}

    /** Sets {@value #UNIFFI_PROPERTY}, once per class loader. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            System.setProperty(UNIFFI_PROPERTY, Path.of(explicit).toAbsolutePath().toString());
        } else if (System.getProperty(UNIFFI_PROPERTY) == null) {
            Path extracted = extractFromJar();
            if (extracted != null) {
                System.setProperty(UNIFFI_PROPERTY, extracted.toString());
            }
        }
        prepared = true;
    }

    /** Returns the folder name for this platform, as JNA names them, such as {@code linux-x86-64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin" : os.replace(' ', '-');
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return osName + "-" + archName;
    }

    private static Path extractFromJar() {
        String fileName = System.mapLibraryName(LIBRARY);
        String resource = "/native/" + platform() + "/" + fileName;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            // Owner-only folder: another user must not swap the library between copy and load.
            Path folder = Files.createTempDirectory(
                    "aa-rotation-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = folder.resolve(fileName);
            Files.copy(in, file);
            // NOTE: a JVM that dies without running shutdown hooks leaves this folder behind.
            file.toFile().deleteOnExit();
            folder.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not copy the native library " + resource + " to a temporary folder; set -D"
                            + PATH_PROPERTY + " to the path of " + fileName,
                    e);
        }
    }
}
