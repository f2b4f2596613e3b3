package org.cvmfs.suite.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout under test: its {@code deploy/} directory, where units, launchers and examples live. */
final class Checkout {
    private Checkout() {}

    static Path root() {
        String configured = System.getProperty("cvmfs.checkout");
        Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent().getParent();
        if (!Files.isDirectory(root.resolve("deploy/systemd"))) {
            throw new IllegalStateException("no deploy/systemd below " + root + " (set -Dcvmfs.checkout)");
        }
        return root.toAbsolutePath().normalize();
    }

    static Path deploy() {
        return root().resolve("deploy");
    }

    static Path launcher(String name) {
        return deploy().resolve("bin").resolve(name);
    }
}
