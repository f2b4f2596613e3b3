package org.cvmfs.suite.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The gateway's package structure, kept: no package depends on itself through others, and the
 * gateway knows no other daemon (it reaches the notification service over HTTP only).
 */
class GatewayArchitectureTest {
    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.cvmfs.suite.gateway");

    @Test
    void packagesFormNoCycle() {
        slices().matching("org.cvmfs.suite.gateway.(**)").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void importsNoOtherDaemon() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.notify..",
                "org.cvmfs.suite.conveyor..", "org.cvmfs.suite.server..", "org.cvmfs.suite.worker..",
                "org.cvmfs.suite.bench..").check(GATEWAY);
    }
}
