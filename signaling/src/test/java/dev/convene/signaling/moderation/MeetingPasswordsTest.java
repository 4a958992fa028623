package dev.convene.signaling.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeetingPasswordsTest {

    @Test
    void aHashMatchesItsPasswordOnlyAndIsSaltedEachTime() {
        String first = MeetingPasswords.hash("swordfish");
        String second = MeetingPasswords.hash("swordfish");
        assertThat(first).startsWith("pbkdf2-sha256$60000$").doesNotContain("swordfish").isNotEqualTo(second);
        assertThat(MeetingPasswords.matches("swordfish", first)).isTrue();
        assertThat(MeetingPasswords.matches("swordfish", second)).isTrue();
        assertThat(MeetingPasswords.matches("Swordfish", first)).isFalse();
        assertThat(MeetingPasswords.matches("", first)).isFalse();
        assertThat(MeetingPasswords.matches(null, first)).isFalse();
    }

    @Test
    void aMalformedStoredHashMatchesNothing() {
        for (String bad : new String[] {"", "swordfish", "pbkdf2-sha256$x$AA$AA", "pbkdf2-sha256$0$AA$AA",
                "md5$1$AA$AA", "pbkdf2-sha256$1$!!$AA", "pbkdf2-sha256$99999999999$AA$AA"}) {
            assertThat(MeetingPasswords.matches("swordfish", bad)).as(bad).isFalse();
        }
    }
}
