package org.cvmfs.suite.gateway.receiver;

/**
 * The tag a commit asks for. A name starting with {@code generic-} is an automatic tag that the
 * receiver renames with the commit time, as upstream does.
 */
public record TagSpec(String name, String description) {
    public TagSpec {
        name = name == null ? "" : name;
        description = description == null ? "" : description;
    }
}
