package org.cvmfs.suite.conveyor.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The worker's package map (docs/design-notes.md, Conveyor worker), kept: no package cycle; no
 * other daemon imported (it talks to the job server over HTTP and AMQP only); the publisher tools
 * reached only through the {@code publish} seam ({@code InProcessPublisher}), so that swapping to
 * an installed {@code cvmfs_server} stays a one-class change.
 */
class WorkerArchitectureTest {
    private static final String ROOT = "org.cvmfs.suite.conveyor.worker";
    private static final JavaClasses WORKER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packagesFormNoCycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(WORKER);
    }

    @Test
    void importsNoOtherDaemon() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.gateway..",
                "org.cvmfs.suite.notify..", "org.cvmfs.suite.conveyor.server..", "org.cvmfs.suite.bench..")
                .check(WORKER);
    }

    @Test
    void onlyThePublishSeamUsesThePublisherTools() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".publish..")
                .should().dependOnClassesThat().resideInAPackage("org.cvmfs.suite.server..").check(WORKER);
    }
}
