package dev.convene.loadtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load tool's place in the module directions (ADR 0001, ADR 0023): its bots reach the server
 * only over the wire — only the embedded target may touch server-side types. Here rather than in
 * {@code server}'s {@code ModuleDirectionTest} because {@code server} cannot see this module; that
 * nothing depends on it Maven already enforces (it depends on {@code server}, so a dependency back
 * would be a cycle). Imports this module's classes only, which keeps it cheap.
 */
class LoadtestDirectionTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.convene.loadtest");
    }

    @Test
    void botsTalkToTheServerOnlyOverTheWire() {
        noClasses().that().resideInAPackage("dev.convene.loadtest..")
                .and().doNotHaveFullyQualifiedName(Target.class.getName())
                .and().doNotHaveFullyQualifiedName(Target.class.getName() + "$1")
                .and().doNotHaveFullyQualifiedName(Target.class.getName() + "$2")
                .should().dependOnClassesThat().resideInAnyPackage("dev.convene.server..", "dev.convene.signaling..",
                        "dev.convene.store..", "dev.convene.sfu..", "dev.convene.control..")
                .check(classes);
    }

    @Test
    void theLoadToolNeverReachesIntoTheSfuOrMediaInternals() {
        noClasses().that().resideInAPackage("dev.convene.loadtest..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.convene.sfu..", "dev.convene.media..",
                        "dev.convene.control..", "dev.convene.store.postgres..", "dev.convene.store.redis..")
                .check(classes);
    }
}
