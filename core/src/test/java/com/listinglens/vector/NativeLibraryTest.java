package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {

    @Test
    void loadsOnceFromTheClasspath() {
        NativeLibrary.load();
        NativeLibrary.load();
        assertThat(NativeLibrary.isLoaded()).isTrue();
        assertThat(NativeLibraryTest.class.getResource(NativeLibrary.RESOURCE)).isNotNull();
    }

    /** Runs NativeLibrary.load() in a fresh class loader (the loaded state is per class loader). */
    private static Throwable loadInIsolation() throws Exception {
        URL classes = NativeLibrary.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> cls = Class.forName(NativeLibrary.class.getName(), true, loader);
            assertThat(cls).isNotSameAs(NativeLibrary.class);
            Method load = cls.getDeclaredMethod("load");
            load.setAccessible(true);
            Throwable first = null;
            for (int i = 0; i < 2; i++) { // the failure is remembered
                try {
                    load.invoke(null);
                    return null;
                } catch (InvocationTargetException e) {
                    assertThat(e.getCause().getClass().getName()).isEqualTo(VectorIndexException.class.getName());
                    if (first != null) {
                        assertThat(e.getCause().getMessage()).isEqualTo(first.getMessage());
                    }
                    first = e.getCause();
                }
            }
            return first;
        }
    }

    @Test
    void overridePropertyMustNameAFile() throws Exception {
        String old = System.getProperty(NativeLibrary.PATH_PROPERTY);
        System.setProperty(NativeLibrary.PATH_PROPERTY, "/nonexistent/liblensfaiss.so");
        try {
            assertThat(loadInIsolation()).hasMessageContaining("does not name a readable file");
        } finally {
            restore(NativeLibrary.PATH_PROPERTY, old);
        }
    }

    @Test
    void otherPlatformsGetAClearError() throws Exception {
        String old = System.getProperty("os.name");
        System.setProperty("os.name", "Windows 11");
        try {
            assertThat(loadInIsolation()).hasMessageContaining("only built for linux-x86_64");
        } finally {
            restore("os.name", old);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
