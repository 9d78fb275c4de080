package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npukit.serving.store.RedisTier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command line sizes Jedis's reply buffer for chunk loads, unless the JVM was started with a size. */
class JedisBufferPresetTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY);
        } else {
            System.setProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY, saved);
        }
    }

    @Test
    void setsTheBufferWhenUnset() {
        System.clearProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY);
        Main.presetJedisBuffer();
        assertEquals(Integer.toString(RedisTier.JEDIS_INPUT_BUFFER_BYTES),
                System.getProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY));
    }

    @Test
    void keepsTheSizeTheJvmWasStartedWith() {
        System.setProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY, "65536");
        Main.presetJedisBuffer();
        assertEquals("65536", System.getProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY));
    }
}
