package org.cvmfs.suite.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks measure the deployables as they are deployed: daemons and tools run as
 * processes and are driven over their wire protocols, so bench links common-protocol only and
 * never a daemon's or tool's classes (which would measure something other than what ships).
 */
class BenchArchitectureTest {
    private static final JavaClasses BENCH = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.cvmfs.suite.bench");

    @Test
    void packagesFormNoCycle() {
        // one package today: the rule has no slices to compare until bench grows sub-packages
        slices().matching("org.cvmfs.suite.bench.(*)..").should().beFreeOfCycles().allowEmptyShould(true)
                .check(BENCH);
    }

    @Test
    void drivesDaemonsAndToolsOnlyFromOutside() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.gateway..",
                "org.cvmfs.suite.notify..", "org.cvmfs.suite.conveyor..", "org.cvmfs.suite.server..",
                "org.cvmfs.suite.worker..").check(BENCH);
    }
}
