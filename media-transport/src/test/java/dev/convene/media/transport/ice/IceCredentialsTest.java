package dev.convene.media.transport.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IceCredentialsTest {

    @Test
    void randomCredentialsUseTheIceCharSetAndLengths() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            IceCredentials c = IceCredentials.random();
            assertThat(c.ufrag()).hasSize(IceCredentials.UFRAG_LENGTH).matches("[A-Za-z0-9+/]+");
            assertThat(c.password()).hasSize(IceCredentials.PASSWORD_LENGTH).matches("[A-Za-z0-9+/]+");
            assertThat(seen.add(c.password())).isTrue();
        }
        assertThat(IceCredentials.UFRAG_LENGTH).isGreaterThanOrEqualTo(4);
        assertThat(IceCredentials.PASSWORD_LENGTH).isGreaterThanOrEqualTo(22);
    }

    @Test
    void rejectsWhatTheGrammarForbids() {
        assertThatThrownBy(() -> new IceCredentials("abc", "a".repeat(22))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IceCredentials("abcd", "a".repeat(21))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IceCredentials("ab:d", "a".repeat(22))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IceCredentials("abcd", "a".repeat(21) + " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new IceCredentials("ab+/", "A".repeat(22)).ufrag()).isEqualTo("ab+/");
    }

    @Test
    void toStringHidesThePassword() {
        IceCredentials c = IceCredentials.random();
        assertThat(c.toString()).contains(c.ufrag()).doesNotContain(c.password());
    }
}
