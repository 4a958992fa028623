package dev.convene.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MidAssignerTest {

    private static final String OFFER = String.join("\r\n",
            "v=0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0", "a=sendrecv",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1", "a=sendonly",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:2", "a=recvonly",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:3", "") ;

    private static TrackInfo track(String id, TrackKind kind, TrackSource source) {
        return new TrackInfo(id, "PA_1", kind, source, false);
    }

    @Test
    void declaredTracksGetTheirDeclaredMid() {
        Map<String, String> mids = MidAssigner.assign(
                List.of(track("TR_s", TrackKind.VIDEO, TrackSource.SCREEN), track("TR_c", TrackKind.VIDEO, TrackSource.CAMERA)),
                List.of(new TrackDeclaration("1", TrackKind.VIDEO, TrackSource.CAMERA),
                        new TrackDeclaration("3", TrackKind.VIDEO, TrackSource.SCREEN)),
                Set.of(), OFFER);
        assertThat(mids).containsEntry("TR_s", "3").containsEntry("TR_c", "1");
    }

    @Test
    void undeclaredTracksTakeTheSendingMLinesOfTheirKindInOrder() {
        Map<String, String> mids = MidAssigner.assign(
                List.of(track("TR_a", TrackKind.AUDIO, TrackSource.MICROPHONE), track("TR_v", TrackKind.VIDEO, TrackSource.CAMERA)),
                List.of(), Set.of("1"), OFFER);
        // mid 1 is in use, mid 2 only receives: the video goes to 3.
        assertThat(mids).containsEntry("TR_a", "0").containsEntry("TR_v", "3");
    }

    @Test
    void readsSendingMLines() {
        assertThat(MidAssigner.sendingMLines(OFFER)).containsExactly(
                new MidAssigner.MLine("0", TrackKind.AUDIO), new MidAssigner.MLine("1", TrackKind.VIDEO),
                new MidAssigner.MLine("3", TrackKind.VIDEO));
        assertThat(MidAssigner.sendingMLines(null)).isEmpty();
    }
}
