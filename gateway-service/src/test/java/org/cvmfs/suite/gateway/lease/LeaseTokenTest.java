package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseTokenTest {
    @Test
    void specExampleEncoding() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        assertEquals("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ====", LeaseToken.base32(bytes));
        assertEquals("MZXW6===", LeaseToken.base32("foo".getBytes()));
        assertEquals("MZXW6YTBOI======", LeaseToken.base32("foobar".getBytes()));
    }

    @Test
    void tokensHaveUpstreamsFormAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String t = LeaseToken.generate();
            assertTrue(t.matches("[A-Z2-7]{52}===="), t);
            assertTrue(seen.add(t));
        }
    }
}
