package org.cvmfs.suite.conveyor.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.cvmfs.suite.conveyor.worker.job.JobFailure;
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

    /**
     * One known cycle is tolerated, and only it: {@code payload} and {@code publish} throw
     * {@code job.JobFailure} while {@code job} drives them. The fix is to move {@code JobFailure}
     * into a package of its own below all three; it waits until the worker's end-to-end work has
     * landed (its files were not to be edited meanwhile). Any other cycle fails.
     */
    @Test
    void packagesFormNoCycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles()
                .ignoreDependency(DescribedPredicate.alwaysTrue(), JavaClass.Predicates.type(JobFailure.class))
                .check(WORKER);
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
