package org.cvmfs.suite.conveyor.worker.daemon;

import java.util.Set;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;

/**
 * The job server as the worker sees it: claim a job before running it (our extension route
 * {@code POST /api/v1/jobs/ID/start}, so the job shows as running and a finished or cancelled
 * job's stale message, or a second copy of a running job's message, is skipped), and report its
 * result ({@code POST /jobs/complete}).
 */
public interface JobServer {
    /** RUN it; SKIP: ended (finished or cancelled); DUPLICATE: running from another copy of its message; LATER: server unreachable. */
    enum Claim { RUN, SKIP, DUPLICATE, LATER }

    /** {@code redelivered}: the broker's flag of the delivery claimed, null for a claim not tied to one. */
    Claim claim(UnprocessedJob job, String workerName, Boolean redelivered);

    Replies.BasicReply report(ProcessedJob result);

    /** Through {@link ConveyorClient}; an upstream server (no extension route, 404) runs every job. */
    static JobServer of(ConveyorClient client) {
        Set<String> ended = Set.of("job succeeded", "job failed", "job cancelled");
        return new JobServer() {
            @Override
            public Claim claim(UnprocessedJob job, String workerName, Boolean redelivered) {
                try {
                    Replies.BasicReply reply = client.start(job.id(), workerName, job.attemptNumber(), redelivered);
                    if (reply.isOk()) {
                        return Claim.RUN;
                    }
                    return ended.contains(reply.reason()) ? Claim.SKIP : "job running".equals(reply.reason()) ? Claim.DUPLICATE : Claim.RUN;
                } catch (ConveyorClient.HttpStatusException e) {
                    return e.status() == 404 ? Claim.RUN : Claim.LATER;
                } catch (RuntimeException unreachable) {
                    return Claim.LATER;
                }
            }

            @Override
            public Replies.BasicReply report(ProcessedJob result) {
                return client.postResult(result);
            }
        };
    }
}
