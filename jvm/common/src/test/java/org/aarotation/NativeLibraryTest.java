package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Loading the native library from the jar, and the SLF4J bridge. */
class NativeLibraryTest {
    @Test
    void libraryIsExtractedFromJar() {
        assertEquals("0.1.0", AaRotation.version());

        String loaded = System.getProperty(NativeLibrary.UNIFFI_PROPERTY);
        assertNotNull(loaded, "the library path is set before the bindings load");
        Path file = Path.of(loaded);
        assertEquals(System.mapLibraryName("aa_rotation_jvm"), file.getFileName().toString());
        assertTrue(file.getParent().getFileName().toString().startsWith("aa-rotation-"), loaded);
        assertTrue(Files.isRegularFile(file), loaded);
    }

    @Test
    void platformNameFollowsJna() {
        assertEquals("linux-x86-64", NativeLibrary.platform());
    }

    @Test
    void slf4jIsFoundByReflection() {
        assertTrue(Slf4jBridge.available());
        // slf4j-simple logs INFO and above unless configured otherwise.
        assertEquals("INFO", Slf4jBridge.maxLevel());
        assertDoesNotThrow(() -> Slf4jBridge.log("INFO", "aa_rotation::test", "SLF4J bridge test line"));
        assertDoesNotThrow(() -> Slf4jBridge.log("NOT_A_LEVEL", "aa_rotation::test", "ignored"));
    }
}
