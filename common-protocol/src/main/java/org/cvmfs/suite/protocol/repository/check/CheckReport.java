package org.cvmfs.suite.protocol.repository.check;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * What a repository check found.
 *
 * @param repository     where the repository was read from
 * @param revision       the checked revision ({@code S} of the manifest, or of the tag), -1 if unknown
 * @param rootCatalog    the root catalog that was walked, null if none could be determined
 * @param objectsChecked distinct objects fetched and hashed (0 with {@code -c})
 * @param faults         every fault, in the order the checks ran
 * @param warnings       what was found but harms no client (reported; the check still passes)
 */
public record CheckReport(String repository, long revision, ContentHash rootCatalog, long objectsChecked,
                          List<Fault> faults, List<String> warnings) {
    /** One fault: its class and a message naming the object, path and values involved. */
    public record Fault(FaultKind kind, String message) {
        public Fault {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return kind.label() + ": " + message;
        }
    }

    public CheckReport {
        faults = List.copyOf(faults);
        warnings = List.copyOf(warnings);
    }

    public CheckReport(String repository, long revision, ContentHash rootCatalog, long objectsChecked,
                       List<Fault> faults) {
        this(repository, revision, rootCatalog, objectsChecked, faults, List.of());
    }

    public boolean passed() {
        return faults.isEmpty();
    }

    /** The class of the first fault found, which decides the exit code. */
    public Optional<FaultKind> firstKind() {
        return faults.stream().findFirst().map(Fault::kind);
    }

    public List<Fault> faultsOf(FaultKind kind) {
        return faults.stream().filter(f -> f.kind() == kind).toList();
    }
}
