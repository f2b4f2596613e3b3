package org.cvmfs.suite.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps the publisher tools' shape of docs/design-notes.md: {@code publish} is the engine and
 * {@code cli} its picocli front (never the other way round), the packages form no cycle, and the
 * tools know no daemon, so that a gateway host runs {@code cvmfs_server} without a Conveyor,
 * gateway or notify jar and the Conveyor worker may depend on the engine without a cycle.
 */
class ServerArchitectureTest {
    private static final JavaClasses TOOLS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.cvmfs.suite.server");

    @Test
    void packagesFormNoCycle() {
        slices().matching("org.cvmfs.suite.server.(*)..").should().beFreeOfCycles().check(TOOLS);
    }

    @Test
    void onlyTheLauncherKnowsTheTopCommand() {
        // SuiteCommand (the root package) gathers the commands; nothing below may reach back up to it.
        noClasses().that().resideOutsideOfPackage("org.cvmfs.suite.server")
                .should().dependOnClassesThat().resideInAPackage("org.cvmfs.suite.server")
                .check(TOOLS);
    }

    @Test
    void knowsNoDaemon() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.conveyor..",
                "org.cvmfs.suite.worker..", "org.cvmfs.suite.gateway..", "org.cvmfs.suite.notify..")
                .check(TOOLS);
    }

    @Test
    void theEngineKnowsNoCommandLine() {
        noClasses().that().resideInAPackage("org.cvmfs.suite.server.publish..")
                .should().dependOnClassesThat().resideInAnyPackage("org.cvmfs.suite.server.cli..",
                        "org.cvmfs.suite.server.swissknife..", "picocli..")
                .check(TOOLS);
    }
}
