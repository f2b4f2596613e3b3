package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.repository.RepositoryName;

/**
 * The {@code REPO[/PATH]} argument of {@code transaction}, {@code publish} and {@code abort}:
 * the repository name, and the subtree as a repository path (slashes around and doubled inside
 * the path are dropped, as upstream canonicalises it).
 */
public record RepositoryArgument(String repository, RepositoryPath path) {
    public static RepositoryArgument parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("repository name missing");
        }
        int slash = text.indexOf('/');
        String fqrn = slash < 0 ? text : text.substring(0, slash);
        RepositoryName.validate(fqrn);
        StringBuilder path = new StringBuilder();
        if (slash >= 0) {
            for (String part : text.substring(slash + 1).split("/")) {
                if (!part.isEmpty()) {
                    path.append('/').append(part);
                }
            }
        }
        try {
            return new RepositoryArgument(fqrn, RepositoryPath.of(path.toString()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }
}
