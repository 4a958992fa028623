#!/usr/bin/env python3
"""A WHIP publisher (RFC 9725) on GStreamer's webrtcbin and libnice, for GstWhipBrowserTest.

Debian 12's simple-whip-client cannot run: it links libsoup 2 while libnice (through gupnp-igd)
links libsoup 3, and libsoup aborts a process that loads both. This is the same GStreamer
WebRTC stack driven from Python, with the HTTP side in urllib: test video (VP8) and audio (Opus),
bundled, candidates in the offer and then trickled by PATCH as well, DELETE on SIGTERM.

usage: whip_publish.py WHIP_URL TOKEN
Exits non-zero if the POST fails or ICE, DTLS or the connection fails.
"""
import faulthandler
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

PIPELINE = (
    "webrtcbin name=pc bundle-policy=max-bundle "
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 ! videoconvert ! queue"
    " ! vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96 ! queue"
    " ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! pc. "
    "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! queue ! opusenc ! rtpopuspay pt=111 ! queue"
    " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! pc."
)


def log(message):
    print("whip: " + message, flush=True)


class Publisher:
    def __init__(self, url, token):
        self.url = url
        self.token = token
        self.location = None
        self.etag = None
        self.candidates = []
        self.offer = None
        self.exit_code = 0
        self.loop = GLib.MainLoop()
        self.pipeline = Gst.parse_launch(PIPELINE)
        self.pc = self.pipeline.get_by_name("pc")
        self.pc.connect("on-negotiation-needed", self.on_negotiation_needed)
        self.pc.connect("on-ice-candidate", self.on_ice_candidate)
        self.states = None

    def request(self, method, url, body=None, content_type=None, if_match=None):
        headers = {"Authorization": "Bearer " + self.token}
        if content_type:
            headers["Content-Type"] = content_type
        if if_match:
            headers["If-Match"] = if_match
        req = urllib.request.Request(url, data=body.encode() if body is not None else None, headers=headers,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, res.headers, res.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def on_negotiation_needed(self, pc):
        pc.emit("create-offer", None, Gst.Promise.new_with_change_func(self.on_offer, None))

    def on_offer(self, promise, *_):
        promise.wait()
        reply = promise.get_reply()
        offer = reply.get_value("offer")
        if offer is None:
            log("webrtcbin made no offer")
            return self.fail()
        # the description dies with the promise's reply: keep its text, not the object
        self.offer = offer.sdp.as_text()
        self.pc.emit("set-local-description", offer, Gst.Promise.new())

    def on_ice_candidate(self, pc, mline, candidate):
        # max-bundle: every line shares the first one's transport
        if mline == 0:
            self.candidates.append(candidate)

    def poll(self):
        # States are read on the main loop: Python callbacks on webrtcbin's own threads can
        # deadlock against the main thread's calls into webrtcbin.
        pc = self.pc
        gathering = pc.get_property("ice-gathering-state")
        ice = pc.get_property("ice-connection-state")
        connection = pc.get_property("connection-state")
        states = (gathering.value_nick, ice.value_nick, connection.value_nick)
        if states != self.states:
            log("gathering %s, ICE %s, connection %s" % states)
            self.states = states
        if gathering == GstWebRTC.WebRTCICEGatheringState.COMPLETE and self.offer and not self.location:
            self.location = "posting"
            self.publish()
        if ice == GstWebRTC.WebRTCICEConnectionState.FAILED or connection == GstWebRTC.WebRTCPeerConnectionState.FAILED:
            return self.fail()
        if connection == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
            faulthandler.cancel_dump_traceback_later()
        return True

    def publish(self):
        try:
            return self.post_offer()
        except Exception as e:  # noqa: BLE001 - any failure ends the run with a non-zero exit
            log("publishing failed: %r" % (e,))
            return self.fail()

    def post_offer(self):
        sdp = self.offer
        lines = "".join("a=" + c + "\r\n" for c in self.candidates)
        # max-bundle: the candidates go on the first m-line; the others are bundle-only (port 0)
        parts = sdp.split("\r\nm=")
        parts[1] = parts[1].rstrip("\r\n") + "\r\n" + lines.rstrip("\r\n")
        sdp = "\r\nm=".join(parts).rstrip("\r\n") + "\r\n"
        log("POST offer (%d bytes, %d candidates)" % (len(sdp), len(self.candidates)))
        status, headers, body = self.request("POST", self.url, sdp, "application/sdp")
        if status != 201:
            log("POST answered %d: %s" % (status, body))
            return self.fail()
        self.location = urllib.parse.urljoin(self.url, headers["Location"])
        self.etag = headers.get("ETag")
        log("answer (%d bytes), resource %s" % (len(body), self.location))
        res, message = GstSdp.SDPMessage.new_from_text(body)
        if res != GstSdp.SDPResult.OK:
            log("the answer is not SDP")
            return self.fail()
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        log("setting the answer")
        self.pc.emit("set-remote-description", answer, Gst.Promise.new())
        log("answer set")
        self.trickle()
        return False

    def trickle(self):
        # RFC 9725 §4.3: what a trickling client sends, here after the fact
        first = self.offer.split("\r\nm=")[1].split("\r\n")
        mid, ice_ufrag, ice_pwd = (next(line.split(":", 1)[1] for line in first if line.startswith("a=" + name + ":"))
                                   for name in ("mid", "ice-ufrag", "ice-pwd"))
        frag = "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\n" % (ice_ufrag, ice_pwd, mid)
        frag += "".join("a=" + c + "\r\n" for c in self.candidates) + "a=end-of-candidates\r\n"
        status, _, body = self.request("PATCH", self.location, frag, "application/trickle-ice-sdpfrag", self.etag)
        log("PATCH answered %d %s" % (status, body))

    def fail(self):
        self.exit_code = 1
        self.loop.quit()
        return False

    def stop(self):
        if self.location and self.location != "posting":
            status, _, _ = self.request("DELETE", self.location)
            log("DELETE answered %d" % status)
        self.loop.quit()
        return False

    def run(self):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.stop)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self.stop)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", lambda _, m: (log("pipeline error: %s" % (m.parse_error(),)), self.fail()))
        GLib.timeout_add(100, self.poll)
        # a hang shows where it is stuck in the log
        faulthandler.dump_traceback_later(20, repeat=True)
        self.pipeline.set_state(Gst.State.PLAYING)
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.exit_code


if __name__ == "__main__":
    faulthandler.enable()
    Gst.init(None)
    sys.exit(Publisher(sys.argv[1], sys.argv[2]).run())
