package org.cvmfs.suite.protocol.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The repository meta information document (manifest {@code M}, object suffix {@code M}): a JSON
 * object that describes who runs the repository. mkfs publishes a skeleton with placeholder values
 * for the administrator to fill in; clients never need it, but {@code check} requires it to be
 * readable once the manifest names it.
 */
public final class MetaInfo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetaInfo() {
    }

    static byte[] skeleton(String fqrn) {
        ObjectNode root = JSON.createObjectNode();
        root.put("administrator", "Name of the administrator");
        root.put("email", "administrator@example.org");
        root.put("organisation", "Organisation running " + fqrn);
        root.put("description", "Content of " + fqrn);
        root.put("url", "Project website");
        root.put("recommended-stratum0", "Stratum-0 URL");
        root.putArray("recommended-stratum1s").add("Stratum-1 URL").add("Stratum-1 URL");
        root.putObject("custom").put("_comment", "Free-form structured data");
        try {
            return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render meta information", e);
        }
    }

    /** Refuses bytes that are not a JSON object, naming what was found instead. */
    public static void requireJsonObject(byte[] bytes) {
        try {
            if (!JSON.readTree(bytes).isObject()) {
                throw new IllegalArgumentException("meta information is JSON but not an object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("meta information is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("meta information is not readable: " + e.getMessage());
        }
    }
}
