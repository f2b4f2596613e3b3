package org.cvmfs.suite.protocol.ingest;

import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Where newly produced objects go: a repository's object store, or the publisher's pack spooler
 * on its way to the gateway. Called from several processing threads at once.
 */
@FunctionalInterface
public interface ObjectSink {
    /**
     * Takes one complete object. {@code object} holds its stored bytes, which hash to
     * {@code hash}; it is only valid during the call. A sink may skip objects it already has.
     */
    void accept(ContentHash hash, StagedObject object);
}
