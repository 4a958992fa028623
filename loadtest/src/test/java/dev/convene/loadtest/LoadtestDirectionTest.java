package dev.convene.loadtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load tool's place in the module directions (ADR 0001, ADR 0023): it sits on top of
 * everything, nothing depends on it, and its bots reach the server only over the wire — only the
 * embedded target may touch server-side types. Here rather than in {@code server}'s
 * {@code ModuleDirectionTest} because only this module's class path holds both sides.
 */
class LoadtestDirectionTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.convene");
    }

    @Test
    void nothingDependsOnTheLoadTool() {
        noClasses().that().resideOutsideOfPackage("dev.convene.loadtest..")
                .should().dependOnClassesThat().resideInAPackage("dev.convene.loadtest..")
                .check(classes);
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
