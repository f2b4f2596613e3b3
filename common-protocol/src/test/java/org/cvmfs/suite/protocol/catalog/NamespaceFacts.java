package org.cvmfs.suite.protocol.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cvmfs.suite.protocol.testing.Fixtures;

/**
 * The namespace of a repository in the form {@code facts.json} of the gateway fixture uses:
 * path ("/" for the root) to mode (octal text), size, type, hash, symlink target, chunks and
 * mountpoint flag. Lets tests compare what we read or wrote with what upstream served.
 */
final class NamespaceFacts {
    private NamespaceFacts() {
    }

    /** Entries of one state of {@code upstream-gateway-publication/facts.json}. */
    static Map<String, Map<String, Object>> expected(String state) throws IOException {
        JsonNode facts = Fixtures.gatewayPublicationFacts();
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (JsonNode e : facts.path("states").path(state).path("entries")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", e.get("mode").asText());
            m.put("size", e.get("size").asLong());
            m.put("type", e.get("type").asText());
            if (e.has("hash")) {
                m.put("hash", e.get("hash").asText());
            }
            if (e.has("target")) {
                m.put("target", e.get("target").asText());
            }
            if (e.has("chunks")) {
                List<String> chunks = new ArrayList<>();
                for (JsonNode c : e.get("chunks")) {
                    chunks.add(c.get("offset").asLong() + "+" + c.get("size").asLong() + "=" + c.get("hash").asText());
                }
                m.put("chunks", chunks);
            }
            if (e.path("nested_catalog_mountpoint").asBoolean(false)) {
                m.put("mountpoint", true);
            }
            out.put(e.get("path").asText(), m);
        }
        return out;
    }

    /** Every entry reachable from the root of {@code tree}, nested catalogs included. */
    static Map<String, Map<String, Object>> actual(CatalogHierarchy tree) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        DirectoryEntry root = tree.lookup(RepositoryPath.ROOT).orElseThrow();
        collect(tree, RepositoryPath.ROOT, root, out);
        return out;
    }

    private static void collect(CatalogHierarchy tree, RepositoryPath path, DirectoryEntry e,
            Map<String, Map<String, Object>> out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", Integer.toOctalString(e.mode()));
        m.put("size", e.size());
        m.put("type", switch (e.kind()) {
            case DIRECTORY -> "dir";
            case REGULAR -> "file";
            case SYMLINK -> "symlink";
            case SPECIAL -> "special";
        });
        if (e.hash() != null) {
            m.put("hash", e.hash().toText());
        }
        if (e.isSymlink()) {
            m.put("target", e.symlink());
        }
        if (e.chunked()) {
            m.put("chunks", tree.chunks(path).stream()
                    .map(c -> c.offset() + "+" + c.size() + "=" + c.hash().toSuffixedText()).toList());
        }
        if (tree.nestedCatalog(path).isPresent()) {
            m.put("mountpoint", true);
        }
        out.put(path.isRoot() ? "/" : path.value(), m);
        if (e.isDirectory()) {
            for (DirectoryEntry child : tree.listing(path)) {
                collect(tree, path.child(child.name()), child, out);
            }
        }
    }
}
