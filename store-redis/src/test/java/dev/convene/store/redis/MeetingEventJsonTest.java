package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.store.MediaKind;
import dev.convene.store.MeetingEvent;
import dev.convene.store.MeetingEvent.ParticipantJoined;
import dev.convene.store.MeetingEvent.TrackMuted;
import org.junit.jupiter.api.Test;

class MeetingEventJsonTest {

    @Test
    void theWireFormIsExplicitSnakeCaseWithATypeAndVersion() {
        assertThat(MeetingEventJson.write(new ParticipantJoined("PA_1", "Ada")))
                .isEqualTo("{\"v\":1,\"type\":\"participant-joined\",\"participant_id\":\"PA_1\",\"display_name\":\"Ada\"}");
        assertThat(MeetingEventJson.write(new TrackMuted("PA_1", "TR_1", true)))
                .isEqualTo("{\"v\":1,\"type\":\"track-muted\",\"participant_id\":\"PA_1\",\"track_id\":\"TR_1\",\"muted\":true}");
    }

    @Test
    void readsWhatItWritesAndIgnoresUnknownFields() {
        MeetingEvent read = MeetingEventJson.read(
                "{\"v\":1,\"type\":\"participant-joined\",\"participant_id\":\"PA_1\",\"display_name\":\"Ada\",\"future\":42}");
        assertThat(read).isEqualTo(new ParticipantJoined("PA_1", "Ada"));
    }

    @Test
    void rejectsWhatItCannotRead() {
        assertThatThrownBy(() -> MeetingEventJson.read("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeetingEventJson.read("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeetingEventJson.read("{\"v\":2,\"type\":\"participant-left\",\"participant_id\":\"PA_1\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> MeetingEventJson.read("{\"v\":1,\"type\":\"teleported\",\"participant_id\":\"PA_1\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown");
        assertThatThrownBy(() -> MeetingEventJson.read("{\"v\":1,\"type\":\"participant-left\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("participant_id");
        assertThatThrownBy(() -> MeetingEventJson.read(
                "{\"v\":1,\"type\":\"track-published\",\"participant_id\":\"PA_1\",\"track\":{\"track_id\":\"T\",\"kind\":\"SMELL\",\"source\":\"CAMERA\",\"muted\":false}}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void moderationEventsTravelWhole() {
        for (MeetingEvent e : new MeetingEvent[] {
                new MeetingEvent.ParticipantWaiting("PA_1", "Ada"),
                new MeetingEvent.WaitingEnded("PA_1", MeetingEvent.WaitingEnded.DENIED),
                new MeetingEvent.ParticipantRemoved("PA_1", "US_1"),
                new MeetingEvent.MutedByHost("PA_1", MediaKind.AUDIO),
                new MeetingEvent.RulesChanged(),
                new MeetingEvent.MeetingEnded()}) {
            assertThat(MeetingEventJson.read(MeetingEventJson.write(e))).isEqualTo(e);
        }
        assertThat(MeetingEventJson.write(new MeetingEvent.ParticipantRemoved("PA_1", "US_1")))
                .isEqualTo("{\"v\":1,\"type\":\"participant-removed\",\"participant_id\":\"PA_1\",\"user_id\":\"US_1\"}");
        assertThatThrownBy(() -> MeetingEventJson.read(
                "{\"v\":1,\"type\":\"waiting-ended\",\"participant_id\":\"PA_1\",\"outcome\":\"teleported\"}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
