package dev.convene.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module directions of docs/adr/0001: media code never reaches the control plane. */
class ModuleDirectionTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.convene");
    }

    @Test
    void mediaModulesDependOnNoControlPlaneCode() {
        noClasses().that().resideInAnyPackage("dev.convene.media..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.convene.sdp..", "dev.convene.sfu..", "dev.convene.signaling..", "dev.convene.store..",
                        "dev.convene.client..", "dev.convene.server..",
                        "io.javalin..", "org.eclipse.jetty..", "com.fasterxml.jackson..", "com.auth0..",
                        "io.lettuce..", "org.postgresql..", "java.sql..", "java.net.http..")
                .check(classes);
    }

    @Test
    void mediaCoreStandsAlone() {
        noClasses().that().resideInAPackage("dev.convene.media.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.convene.media.transport..", "dev.convene.media.routing..", "io.netty..", "org.bouncycastle..")
                .check(classes);
    }

    @Test
    void signalingAndControlStayApart() {
        noClasses().that().resideInAPackage("dev.convene.signaling..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.convene.control..", "dev.convene.store.postgres..",
                        "dev.convene.store.redis..", "dev.convene.sfu.room..", "dev.convene.sfu.transport..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.convene.control..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.convene.signaling..", "dev.convene.store..",
                        "dev.convene.sfu.room..", "dev.convene.sfu.transport..")
                .check(classes);
    }

    @Test
    void sfuKnowsNothingOfSignalingOrStores() {
        noClasses().that().resideInAnyPackage("dev.convene.sfu..", "dev.convene.sdp..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.convene.signaling..", "dev.convene.store..", "dev.convene.client..", "dev.convene.server..",
                        "io.javalin..", "com.fasterxml.jackson..", "com.auth0..")
                .check(classes);
    }

    @Test
    void tlsStandsAloneAndMediaNeverUsesIt() {
        noClasses().that().resideInAPackage("dev.convene.tls..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.convene.media..", "dev.convene.sfu..", "dev.convene.sdp..", "dev.convene.signaling..",
                        "dev.convene.control..", "dev.convene.store..", "dev.convene.client..", "dev.convene.server..")
                .check(classes);
        noClasses().that().resideInAnyPackage("dev.convene.media..", "dev.convene.sfu..", "dev.convene.sdp..")
                .should().dependOnClassesThat().resideInAPackage("dev.convene.tls..")
                .check(classes);
    }

    @Test
    void storesKnowNothingOfMediaOrSignaling() {
        noClasses().that().resideInAPackage("dev.convene.store..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.convene.media..", "dev.convene.sfu..", "dev.convene.signaling..", "dev.convene.sdp..",
                        "dev.convene.control..")
                .check(classes);
    }
}
