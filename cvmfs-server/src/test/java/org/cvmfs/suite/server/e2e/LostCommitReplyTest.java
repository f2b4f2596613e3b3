package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.server.publish.TransactionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A commit whose reply never reached the publisher (the connection to the gateway cut right
 * after the gateway committed, or before the request arrived): the publish fails, and
 * publishing again finds out what happened — reports the landed revision, or sends the commit
 * again — exits 0, and leaves the publisher without a transaction and the repository passing
 * {@code cvmfs_server check}.
 */
@ExtendWith(Hosts.Extension.class)
class LostCommitReplyTest {
    private final Hosts hosts;
    private final GatewayHost gateway;
    private final PublisherHost two;

    LostCommitReplyTest(Hosts hosts) {
        this.hosts = hosts;
        this.gateway = hosts.gateway();
        this.two = hosts.publisher2();
    }

    @Test
    void publishingAgainReportsACommitThatLanded() throws IOException {
        ServerCli.assertExit(0, two.transaction("/lost-reply"));
        PublishThroughGatewayTest.write(two.tree("/lost-reply").resolve("a.txt"), "landed once\n");
        long before = gateway.head().revision();

        hosts.tap().failNextCommit(GatewayTap.CommitFault.LOSE_REPLY);
        ServerCli.Result lost = ServerCli.assertExit(1, two.publish("-a", "lost-reply"));
        assertTrue(lost.err().contains("publish again"), lost.toString());
        assertEquals(before + 1, gateway.head().revision(), "the gateway committed: " + gateway.log());
        assertEquals(TransactionState.Phase.COMMITTING, two.state().orElseThrow().phase());

        ServerCli.Result again = ServerCli.assertExit(0, two.publish());
        assertEquals(before + 1, Hosts.revisionOf(again), again.toString());
        assertEquals(before + 1, gateway.head().revision(), "nothing was committed twice");
        assertFalse(two.holdsToken());
        assertTrue(two.state().isEmpty());
        hosts.assertChecks();
        hosts.assertChecks("lost-reply");
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("landed once\n", hosts.cat(head, "/lost-reply/a.txt"));
        }
        ServerCli.assertExit(0, two.transaction("/lost-reply"), "the subtree can be leased again");
        ServerCli.assertExit(0, two.abort());
    }

    @Test
    void publishingAgainFindsALandedCommitBehindOthersPublications() throws IOException {
        ServerCli.assertExit(0, two.transaction("/lost-merged"));
        PublishThroughGatewayTest.write(two.tree("/lost-merged").resolve("sub/b.txt"), "merged\n");
        long before = gateway.head().revision();
        hosts.tap().failNextCommit(GatewayTap.CommitFault.LOSE_REPLY);
        ServerCli.assertExit(1, two.publish());

        PublisherHost one = hosts.publisher1();
        ServerCli.assertExit(0, one.transaction("/lost-merged-other"));
        PublishThroughGatewayTest.write(one.tree("/lost-merged-other").resolve("c.txt"), "someone else\n");
        assertEquals(before + 2, hosts.publish(one));

        ServerCli.Result again = ServerCli.assertExit(0, two.publish());
        assertEquals(before + 2, Hosts.revisionOf(again), again.toString());
        assertEquals(before + 2, gateway.head().revision());
        assertTrue(two.state().isEmpty());
        hosts.assertChecks();
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("merged\n", hosts.cat(head, "/lost-merged/sub/b.txt"));
            assertEquals("someone else\n", hosts.cat(head, "/lost-merged-other/c.txt"));
        }
    }

    @Test
    void publishingAgainResendsACommitThatNeverArrived() throws IOException {
        ServerCli.assertExit(0, two.transaction("/lost-request"));
        PublishThroughGatewayTest.write(two.tree("/lost-request").resolve("d.txt"), "sent twice\n");
        long before = gateway.head().revision();

        hosts.tap().failNextCommit(GatewayTap.CommitFault.LOSE_REQUEST);
        ServerCli.assertExit(1, two.publish("-a", "lost-request"));
        assertEquals(before, gateway.head().revision(), "the commit never reached the gateway");

        ServerCli.Result again = ServerCli.assertExit(0, two.publish("-a", "lost-request"));
        assertTrue(again.out().contains("Resending the commit"), again.toString());
        assertEquals(before + 1, Hosts.revisionOf(again));
        assertEquals(before + 1, gateway.head().revision());
        assertTrue(two.state().isEmpty());
        hosts.assertChecks("lost-request");
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("sent twice\n", hosts.cat(head, "/lost-request/d.txt"));
        }
    }
}
