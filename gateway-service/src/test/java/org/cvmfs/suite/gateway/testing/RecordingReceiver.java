package org.cvmfs.suite.gateway.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.receiver.Receiver;
import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Stands in for the native commit in the API tests: records each call, counts revisions per
 * test, can be told to fail once, and can hold a commit until released to prove what runs in
 * parallel. An alternative, so it also wins once the real native commit exists.
 */
@Singleton
@Alternative
@Priority(1)
@Backend(GatewayUserConfig.BACKEND_NATIVE)
public class RecordingReceiver implements Receiver {
    public record Call(Lease lease, ContentHash oldRoot, ContentHash newRoot, TagSpec tag) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicLong revision = new AtomicLong(1);
    private final AtomicReference<String> failNext = new AtomicReference<>();
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;

    @Override
    public CommitResult commit(Lease lease, ContentHash oldRoot, ContentHash newRoot, TagSpec tag) {
        calls.add(new Call(lease, oldRoot, newRoot, tag));
        CountDownLatch e = entered;
        CountDownLatch r = release;
        if (e != null && r != null) {
            e.countDown();
            try {
                if (!r.await(60, TimeUnit.SECONDS)) {
                    throw new ReceiverException("test receiver was never released");
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new ReceiverException("interrupted");
            }
        }
        String failure = failNext.getAndSet(null);
        if (failure != null && failure.startsWith("bug:")) {
            throw new IllegalStateException(failure.substring(4));
        }
        if (failure != null) {
            throw new ReceiverException(failure);
        }
        return new CommitResult(revision.incrementAndGet());
    }

    public List<Call> calls() {
        return calls;
    }

    public void reset() {
        calls.clear();
        revision.set(1);
        failNext.set(null);
        entered = null;
        release = null;
    }

    /** The next commit fails with {@code reason}; {@code "bug:<text>"} throws an unexpected exception instead. */
    public void failNext(String reason) {
        failNext.set(reason);
    }

    /** The next commits block inside the receiver until {@code release} opens; each counts down {@code entered}. */
    public void hold(CountDownLatch entered, CountDownLatch release) {
        this.entered = entered;
        this.release = release;
    }
}
