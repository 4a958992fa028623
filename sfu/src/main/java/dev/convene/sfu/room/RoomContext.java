package dev.convene.sfu.room;

import dev.convene.media.routing.rtcp.LocalNtpClock;
import dev.convene.sfu.metrics.SfuMetrics;
import dev.convene.sfu.negotiation.HostCandidate;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.transport.WebRtcTransport;
import java.util.List;

/** What rooms and participants need from their node's media loop. Confined to that loop's thread. */
interface RoomContext {

    WebRtcTransport newTransport(String name, WebRtcTransport.Listener listener);

    String newId(String prefix);

    /** A random non-zero SSRC; the caller keeps it unique on its transport. */
    long newSsrc();

    MediaCounters counters();

    long nanoTime();

    SfuMetrics metrics();

    /** Our NTP time for sender reports, on the {@link #nanoTime()} clock. */
    LocalNtpClock ntpClock();

    /** The loop's packet path between transports. */
    PacketRouter router();

    /** Scratch buffer of the loop for one outgoing packet, with room for the SRTP trailer. */
    byte[] txBuffer();

    /** The loop's candidates (its own ports), most preferred first. */
    List<HostCandidate> candidates();

    long sdpSessionId();

    /**
     * Where subscriber offers are written and handed to their listener, off the media loop: an
     * offer of a meeting of 100 is ~200 m-lines (100+ KB of text), and one per subscriber per
     * join made the loop miss its 4 s bound for control calls (ADR 0034).
     */
    java.util.concurrent.Executor negotiation();

    long estimatedUplinkBps();

    /** Picks the simulcast layer of each subscriber leg; stateless, shared by the node. */
    dev.convene.media.routing.simulcast.Allocator allocator();

    /** The loop's arrays for stored packets, shared by every leg's retransmission buffer (ADR 0027). */
    dev.convene.media.routing.PacketArrays packetArrays();

    /** The loop's arrays for the heads legs keep of packets whose payload a layer keeps once (ADR 0038). */
    dev.convene.media.routing.PacketArrays headArrays();

    /** How many participants' video a subscriber receives until it asks for another number. */
    int defaultLastN();

    void onParticipantClosed(Room room);
}
