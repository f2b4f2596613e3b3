package org.cvmfs.suite.notify;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package map of docs/design-notes.md true: no package cycles, the node's core
 * ({@code service}) knows neither its HTTP front ({@code api}) nor the broker ({@code relay}),
 * and no daemon's code is borrowed (daemons share only common-protocol).
 */
class NotifyArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.cvmfs.suite.notify");
    }

    @Test
    void hasNoPackageCycle() {
        slices().matching("org.cvmfs.suite.notify.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void importsNoOtherDaemon() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "org.cvmfs.suite.gateway..", "org.cvmfs.suite.conveyor..", "org.cvmfs.suite.server..",
                "org.cvmfs.suite.worker..").check(classes);
    }

    @Test
    void theServiceKnowsNoTransport() {
        noClasses().that().resideInAPackage("org.cvmfs.suite.notify.service..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.cvmfs.suite.notify.api..", "org.cvmfs.suite.notify.relay..", "com.rabbitmq..", "io.vertx..")
                .check(classes);
    }
}
