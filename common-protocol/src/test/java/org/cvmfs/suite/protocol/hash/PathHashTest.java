package org.cvmfs.suite.protocol.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Test vectors of repository-format.md 6.4. */
class PathHashTest {
    @Test
    void matchesSpecVectors() {
        assertEquals(new PathHash(338333539836370388L, 9098107892288553193L), PathHash.of(""));
        assertEquals(new PathHash(3445601412511816508L, 6267067367417020806L), PathHash.of("/software"));
        assertEquals(new PathHash(-5809621311578234096L, -2583071775493035223L), PathHash.of("/.cvmfscatalog"));
        assertEquals(new PathHash(8193369706472672701L, 4868506713845114430L), PathHash.of("/new_repository"));
        assertEquals(new PathHash(4069996547627848455L, -3471940481646685085L), PathHash.of(
                "/lib/lhcb/ALIGNMENT/ALIGNMENT_v9r2/Phys/CommonParticles/tests/qmtest/commonparticles.qms/.svn/tmp/prop-base"));
    }
}
