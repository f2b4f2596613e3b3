package org.cvmfs.suite.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * common-protocol is the library every daemon and tool shares: its packages form no cycle (each
 * package, sub-packages included, is its own slice), and it knows none of them.
 */
class ProtocolArchitectureTest {
    private static final JavaClasses PROTOCOL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.cvmfs.suite.protocol");

    @Test
    void packagesFormNoCycle() {
        slices().matching("org.cvmfs.suite.protocol.(**)").should().beFreeOfCycles().check(PROTOCOL);
    }

    @Test
    void knowsNoDaemonAndNoTool() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.gateway..",
                "org.cvmfs.suite.notify..", "org.cvmfs.suite.conveyor..", "org.cvmfs.suite.server..",
                "org.cvmfs.suite.worker..").check(PROTOCOL);
    }
}
