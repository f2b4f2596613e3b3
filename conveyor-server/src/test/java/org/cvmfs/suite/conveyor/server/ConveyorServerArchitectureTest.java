package org.cvmfs.suite.conveyor.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The job server's package map (docs/design-notes.md, Conveyor), kept: no package cycle; the
 * layers run one way, {@code rest → service → persistence} (the service also drives
 * {@code broker}); the {@code submit}/{@code check} CLI, which starts without Quarkus, uses no
 * server-side package; and no other daemon or the publisher tools are imported (the server and
 * the worker share only common-protocol).
 */
class ConveyorServerArchitectureTest {
    private static final String ROOT = "org.cvmfs.suite.conveyor.server";
    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packagesFormNoCycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(SERVER);
    }

    @Test
    void importsNoOtherDaemonNorThePublisherTools() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.gateway..",
                "org.cvmfs.suite.notify..", "org.cvmfs.suite.server..", "org.cvmfs.suite.conveyor.worker..",
                "org.cvmfs.suite.worker..", "org.cvmfs.suite.bench..").check(SERVER);
    }

    @Test
    void nothingBelowTheRestLayerKnowsIt() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".rest..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".rest..").check(SERVER);
    }

    @Test
    void persistenceKnowsNeitherServiceNorBroker() {
        noClasses().that().resideInAPackage(ROOT + ".persistence..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".service..", ROOT + ".rest..",
                        ROOT + ".broker..", ROOT + ".health..", "com.rabbitmq..")
                .check(SERVER);
    }

    @Test
    void theRestLayerReachesStorageOnlyThroughTheService() {
        noClasses().that().resideInAPackage(ROOT + ".rest..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".broker..", "com.rabbitmq..")
                .check(SERVER);
    }

    @Test
    void theCliUsesNoServerSidePackage() {
        noClasses().that().resideInAPackage(ROOT + ".cli..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".rest..", ROOT + ".service..",
                        ROOT + ".persistence..", ROOT + ".broker..", ROOT + ".health..", "io.quarkus..")
                .check(SERVER);
    }
}
