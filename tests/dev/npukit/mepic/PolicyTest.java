package dev.npukit.mepic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTest {
    @Test
    void eachPolicyReusesWhatItsDocumentationSays() {
        // policy: prefixCaching, copiesChunks, sharesChunks, reusesChunks
        assertTraits(Policy.NONE, false, false, false, false);
        assertTraits(Policy.PREFIX, true, false, false, false);
        assertTraits(Policy.EPIC, true, true, false, true);
        assertTraits(Policy.CACHEBLEND, true, true, false, true);
        assertTraits(Policy.MEPIC, true, false, true, true);
    }

    private static void assertTraits(Policy p, boolean prefix, boolean copies, boolean shares, boolean reuses) {
        assertEquals(List.of(prefix, copies, shares, reuses),
                List.of(p.prefixCaching(), p.copiesChunks(), p.sharesChunks(), p.reusesChunks()), p.name());
    }
}
