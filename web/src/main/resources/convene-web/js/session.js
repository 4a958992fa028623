// One stay in a meeting: the join call, the signaling socket and the two peer connections
// (docs/signaling.md, "Media negotiation"). UI-free: views listen to its 'change' events.
//
//   publisher  — we offer; one `publish` per new sendonly transceiver (mid known after
//                setLocalDescription) before the `offer`; the `answer` gives track ids.
//   subscriber — the SFU offers with `tracks` (mid -> participant/track); we answer.
//
// Negotiation on each peer connection runs through its own promise queue, so overlapping
// offers (a screen share started while the server renegotiates) never interleave.

import { api } from '/js/api.js';
import { Signaling, SignalingError, signalingUrl, resumeUrl } from '/js/signaling.js';

function serialQueue() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

const LOG_LIMIT = 500;
// Longer than the longest grace a server may have (45 s): past it, nothing is left to resume.
const RESUME_GIVE_UP_MS = 50000;

export class MeetingSession extends EventTarget {
  /**
   * @param {object} o
   * @param {string} o.meetingId
   * @param {string} o.displayName
   * @param {MediaStream|null} o.localStream camera+microphone from the pre-join screen
   * @param {boolean} o.micOn
   * @param {boolean} o.camOn
   */
  constructor({ meetingId, displayName, localStream, micOn = true, camOn = true, password = null }) {
    super();
    this.password = password;
    /** {host_id, host, locked, waiting_room, self_unmute} from `meeting-rules`; host: whether we are one */
    this.rules = null;
    /** participant_id -> {participant_id, display_name}: the waiting room, as hosts see it */
    this.waiting = new Map();
    this.joinedWaiter = null;
    this.meetingId = meetingId;
    this.displayName = displayName;
    this.participantId = null;
    this.state = 'idle'; // idle | joining | waiting | joined | reconnecting | disconnected | left | ended
    /** From joined/resumed: what `resume` needs after a lost socket (docs/signaling.md, "Resume"). */
    this.resumeToken = null;
    this.signalingBase = null;
    this.endReason = null;
    this.localStream = localStream || new MediaStream();
    this.initialMic = micOn;
    this.initialCam = camOn;

    /** source -> {source, kind, track, stream, transceiver, mid, trackId, muted, sentMuted, announced} */
    this.local = new Map();
    /** participant_id -> {participant_id, display_name, tracks: Map<track_id, {track_id, kind, source, muted}>} (others only) */
    this.participants = new Map();
    /** track_id -> {track, participant_id, source, kind, mid} : remote media we receive */
    this.remoteMedia = new Map();
    /** subscriber mid -> {mid, participant_id, track_id, kind, source} from the server's offers */
    this.subscriberMids = new Map();
    this.watchedTracks = new WeakSet();
    this.chat = [];
    this.log = [];

    this.sig = null;
    this.publisherPc = null;
    this.subscriberPc = null;
    this.pubQueue = serialQueue();
    this.subQueue = serialQueue();
    this.closed = false;
    /** Between `migrate` and the first new peer connection up: the page shows "Reconnecting…". */
    this.migrating = false;
  }

  emit(what, detail = {}) {
    this.dispatchEvent(new CustomEvent('change', { detail: { what, ...detail } }));
  }

  setState(state, reason) {
    this.state = state;
    if (reason !== undefined) this.endReason = reason;
    this.emit('state');
  }

  // ---------------------------------------------------------------- joining

  async start() {
    this.setState('joining');
    const info = await api.join(this.meetingId, this.displayName, this.password);
    if (this.closed) return;
    this.participantId = info.participant_id;
    if (info.display_name) this.displayName = info.display_name;
    const iceServers = Array.isArray(info.ice_servers) ? info.ice_servers : [];
    this.iceServers = iceServers;

    this.publisherPc = this.makePc('publisher', iceServers);
    this.subscriberPc = this.makePc('subscriber', iceServers);
    this.subscriberPc.ontrack = (ev) => this.onRemoteTrack(ev);

    this.signalingBase = info.signaling_url;
    this.sig = this.wire(new Signaling(signalingUrl(info.signaling_url, info.token)));
    await this.sig.connect();
    let joined = await this.sig.request({ type: 'join' });
    if (joined.type === 'waiting') {
      // The waiting room: `joined` follows `admitted`, whenever a host lets us in.
      const admitted = new Promise((resolve, reject) => { this.joinedWaiter = { resolve, reject }; });
      this.setState('waiting');
      joined = await admitted;
    }
    if (this.closed) return;
    this.resumeToken = joined.resume_token || null;
    this.participantId = joined.participant_id || this.participantId;
    for (const p of joined.participants || []) this.upsertParticipant(p);
    this.chat = (joined.chat || []).map((m) => ({ ...m }));
    this.setState('joined');
    this.emit('participants');
    this.emit('chat', { history: true });

    // Publish what the pre-join screen gave us.
    const mic = this.localStream.getAudioTracks()[0];
    const cam = this.localStream.getVideoTracks()[0];
    if (mic) this.addLocal('microphone', mic, this.localStream, !this.initialMic);
    if (cam) this.addLocal('camera', cam, this.localStream, !this.initialCam);
    this.emit('local');
    if (mic || cam) await this.renegotiatePublisher();
  }

  makePc(role, iceServers) {
    const pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    pc.onicecandidate = (ev) => {
      if (!this.sig) return;
      this.sig.send({ type: 'ice-candidate', pc: role, candidate: ev.candidate ? ev.candidate.toJSON() : null });
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.publisherPc && pc !== this.subscriberPc) return; // one from before a migrate
      if (this.migrating && pc.connectionState === 'connected') {
        this.migrating = false;
        this.emit('state');
      }
      this.emit('connection', { pc: role, state: pc.connectionState });
    };
    return pc;
  }

  // ---------------------------------------------------------------- publishing

  /** Adds a sendonly transceiver for a local track (not negotiated yet). */
  addLocal(source, track, stream, muted = false) {
    const kind = track.kind;
    if (muted) track.enabled = false;
    const init = { direction: 'sendonly', streams: [stream] };
    // The camera goes out as three simulcast layers, lowest first (q/h/f: 1/4, 1/2 and full size);
    // the SFU forwards each subscriber the one its tile needs. A screen share stays one stream.
    // With VP9 preferred the camera goes out as one SVC stream instead (three spatial layers, key
    // frames only at the base), and the SFU drops the layers a subscriber does not need.
    if (source === 'camera' && preferredVideoCodec() === 'vp9') init.sendEncodings = [{ scalabilityMode: 'L3T3_KEY' }];
    else if (source === 'camera' && simulcastWanted()) init.sendEncodings = SIMULCAST_ENCODINGS;
    const transceiver = this.publisherPc.addTransceiver(track, init);
    if (kind === 'video') preferVideoCodec(transceiver);
    const lt = { source, kind, track, stream, transceiver, mid: null, trackId: null,
      muted, sentMuted: false, announced: false };
    this.local.set(source, lt);
    return lt;
  }

  /**
   * Tells the SFU what we want of a remote track (docs/signaling.md, subscribe-settings): the
   * size its tile renders in device pixels, or paused; its priority when the downlink is short;
   * whether we pinned its participant. Every frame carries all of them (the SFU replaces a
   * track's settings whole). Sent only when something changed.
   */
  setSubscribeSettings(trackId, { maxWidth = 0, maxHeight = 0, paused = false, priority = 1, pinned = false }) {
    const key = `${maxWidth}x${maxHeight}${paused ? ' paused' : ''} p${priority}${pinned ? ' pinned' : ''}`;
    if (!this.subscribeSettings) this.subscribeSettings = new Map();
    if (this.subscribeSettings.get(trackId) === key || !this.sig || !this.sig.open) return;
    this.subscribeSettings.set(trackId, key);
    this.sig.send({ type: 'subscribe-settings', track_id: trackId, max_width: maxWidth, max_height: maxHeight, paused, priority, pinned });
  }

  /**
   * Dynacast (docs/signaling.md, layers): switches off the encodings of one of our tracks that
   * nobody receives, so the browser stops encoding them, and back on when someone does. Frames
   * are applied one at a time on the publisher's queue (a setParameters racing another, or a
   * negotiation, is refused), and only the newest one of a track: an "on" that follows an "off"
   * closely must not be lost to the "off" still being applied. A refused one is tried again.
   */
  applyLayers(f) {
    if (!this.layersWanted) this.layersWanted = new Map();
    this.layersWanted.set(f.track_id, f.layers || []);
    return this.pubQueue(() => this.applyWantedLayers(f.track_id));
  }

  /** Must run inside pubQueue. */
  async applyWantedLayers(trackId, attempt = 0) {
    const layers = this.layersWanted && this.layersWanted.get(trackId);
    if (!layers || this.closed) return;
    this.layersWanted.delete(trackId);
    try {
      for (const lt of this.local.values()) {
        if (lt.trackId !== trackId || !lt.transceiver) continue;
        const sender = lt.transceiver.sender;
        const params = sender.getParameters();
        if (!params.encodings || params.encodings.length === 0) return;
        let changed = false;
        for (const layer of layers) {
          const enc = layer.rid != null ? params.encodings.find((e) => e.rid === layer.rid) : params.encodings[layer.index];
          if (enc && enc.active !== !!layer.active) { enc.active = !!layer.active; changed = true; }
        }
        if (changed) await sender.setParameters(params);
        this.layersRequested = { ...(this.layersRequested || {}), [trackId]: layers.map((l) => !!l.active) };
      }
    } catch (e) {
      if (attempt >= 5 || this.closed) throw e;
      // Refused (a negotiation in between): again shortly, unless a newer frame came meanwhile.
      if (!this.layersWanted.has(trackId)) this.layersWanted.set(trackId, layers);
      setTimeout(() => {
        this.pubQueue(() => this.applyWantedLayers(trackId, attempt + 1))
          .catch((err) => console.warn(`convene: layers not applied (${err && err.message})`));
      }, 500);
    }
  }

  /**
   * Queued publisher negotiation. A failure other than a closed session or a refused SDP is
   * retried for as long as the session lives, 1, 2, 4, then every 5 s: a media server slow to
   * answer under load must delay our camera, not lose it for the rest of the meeting. The third
   * failure tells the page (an `error` it shows), which the retries do not stop.
   */
  renegotiatePublisher() {
    const attempt = async (n) => {
      try {
        await this.pubQueue(() => this.negotiatePublisher());
      } catch (e) {
        if (this.closed || (e && e.code === 'bad_sdp')) throw e;
        console.warn(`convene: publisher negotiation failed (${e && (e.code || e.message)}), retrying`);
        if (n === 2) this.emit('error', { message: 'Could not send your camera and microphone yet; still trying.' });
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** n, 5000)));
        if (this.closed) throw e;
        await attempt(n + 1);
      }
    };
    return attempt(0);
  }

  /** Must run inside pubQueue. */
  async negotiatePublisher() {
    if (this.closed) return;
    const pc = this.publisherPc;
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const announcedNow = [];
    for (const lt of this.local.values()) {
      const mid = lt.transceiver.mid;
      if (!lt.announced && mid != null) {
        lt.mid = mid;
        lt.announced = true;
        announcedNow.push(lt);
        this.sig.sendRequest({ type: 'publish', mid, kind: lt.kind, source: lt.source });
      }
    }
    let answer;
    try {
      answer = await this.sig.request({ type: 'offer', pc: 'publisher', sdp: pc.localDescription.sdp }, 30000);
    } catch (e) {
      for (const lt of announcedNow) lt.announced = false;
      await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      throw e;
    }
    if (this.closed) return;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const t of answer.tracks || []) {
      for (const lt of this.local.values()) {
        if (lt.mid === t.mid) lt.trackId = t.track_id;
      }
    }
    for (const lt of this.local.values()) this.syncMute(lt);
    this.emit('local');
  }

  syncMute(lt) {
    if (!lt.trackId || lt.muted === lt.sentMuted) return;
    if (this.sig && this.sig.sendRequest({ type: 'mute', track_id: lt.trackId, muted: lt.muted })) {
      lt.sentMuted = lt.muted;
    }
  }

  isLocalOn(source) {
    const lt = this.local.get(source);
    return !!lt && !lt.muted && lt.track.readyState === 'live';
  }

  /** Mic or camera on/off: track.enabled plus `mute` with the SFU's track id. */
  async setLocalEnabled(source, on) {
    let lt = this.local.get(source);
    if (!lt) {
      if (!on) return;
      // Nothing was captured before (no device or permission at pre-join): try now.
      const kind = source === 'microphone' ? 'audio' : 'video';
      const s = await navigator.mediaDevices.getUserMedia(kind === 'audio'
        ? { audio: true } : { video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
      const track = kind === 'audio' ? s.getAudioTracks()[0] : s.getVideoTracks()[0];
      this.localStream.addTrack(track);
      this.addLocal(source, track, this.localStream, false);
      this.emit('local');
      await this.renegotiatePublisher();
      return;
    }
    lt.track.enabled = on;
    lt.muted = !on;
    this.syncMute(lt);
    this.emit('local');
  }

  async startScreenShare() {
    const previous = this.local.get('screen');
    if (previous && previous.stopping) await this.stopScreenShare().catch(() => {});
    if (this.local.has('screen')) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    if (this.closed || this.local.has('screen')) { track.stop(); return; }
    try { track.contentHint = 'detail'; } catch { /* older browsers */ }
    track.addEventListener('ended', () => { this.stopScreenShare().catch(() => {}); });
    this.addLocal('screen', track, stream, false);
    this.emit('local');
    try {
      await this.renegotiatePublisher();
    } catch (e) {
      await this.stopScreenShare().catch(() => {});
      throw e;
    }
  }

  stopScreenShare() {
    const lt = this.local.get('screen');
    if (!lt) return Promise.resolve();
    if (lt.stopping) return lt.stopping;
    lt.stopping = true;
    this.emit('local');
    lt.stopping = this.pubQueue(async () => {
      this.local.delete('screen');
      if (lt.trackId && this.sig) this.sig.sendRequest({ type: 'unpublish', track_id: lt.trackId });
      lt.track.stop();
      try { lt.transceiver.stop(); } catch { /* already stopped */ }
      this.emit('local');
      if (!this.closed && this.state === 'joined') await this.negotiatePublisher();
    });
    return lt.stopping;
  }

  // ---------------------------------------------------------------- subscribing

  onSubscriberOffer(frame) {
    this.subQueue(async () => {
      if (this.closed) return;
      const pc = this.subscriberPc;
      for (const t of frame.tracks || []) this.subscriberMids.set(String(t.mid), { ...t, mid: String(t.mid) });
      await pc.setRemoteDescription({ type: 'offer', sdp: frame.sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      // The server acks every answer (or says bad_sdp); waiting keeps the next offer behind this one.
      // offer_id names the offer answered: a late answer to an SFU we migrated away from answers nothing.
      const msg = { type: 'answer', pc: 'subscriber', sdp: pc.localDescription.sdp };
      if (frame.offer_id) msg.offer_id = frame.offer_id;
      await this.answerAgainIfBusy(msg);
      this.reconcileSubscriber();
    }).catch((e) => {
      // The answered offer was replaced (migrate): the newer offer is answered in its turn.
      if (e && e.code === 'stale_answer') return;
      console.warn('convene: subscriber negotiation failed', e);
      this.emit('error', { message: 'Could not receive media from the meeting.' });
    });
  }

  /**
   * Sends our subscriber answer; sent again, the same frame, when the server refused it only for
   * being busy (`internal_error`: its media loop did not take the call in time and cancelled it,
   * so nothing was applied; `sfu_unavailable`; or no reply at all), up to four more times, 0.5 to
   * 2 s apart. Without it one busy moment leaves this page's subscriber connection on an offer the
   * server still waits to hear answered, and no later track ever reaches the page. If a refused
   * attempt was applied after all (late), the server says the offer is answered (`bad_sdp`):
   * that is success.
   */
  async answerAgainIfBusy(msg) {
    let refusedBusy = false;
    for (let attempt = 0; ; attempt++) {
      const sig = this.sig;
      try {
        return await sig.request(msg);
      } catch (e) {
        const code = e && e.code;
        if (refusedBusy && code === 'bad_sdp') return null;
        const busy = code === 'internal_error' || code === 'sfu_unavailable' || code === 'timeout';
        if (!busy || attempt >= 4 || this.closed || sig !== this.sig) throw e;
        refusedBusy = true;
        console.warn(`convene: subscriber answer refused (${code}), sending it again`);
        await new Promise((r) => setTimeout(r, Math.min(500 * (attempt + 1), 2000)));
      }
    }
  }

  onRemoteTrack(ev) {
    const mid = ev.transceiver && ev.transceiver.mid;
    const info = mid != null ? this.subscriberMids.get(String(mid)) : null;
    if (info) this.bindRemote(info, ev.track);
  }

  /** Binds every receiving m-line to its track; unbinds m-lines the SFU turned off. */
  reconcileSubscriber() {
    let changed = false;
    for (const tr of this.subscriberPc.getTransceivers()) {
      if (tr.mid == null) continue;
      const info = this.subscriberMids.get(String(tr.mid));
      if (!info) continue;
      const dir = tr.stopped ? 'stopped' : tr.currentDirection;
      const receiving = dir === 'recvonly' || dir === 'sendrecv';
      if (receiving) {
        changed = this.bindRemote(info, tr.receiver.track, true) || changed;
      } else {
        this.subscriberMids.delete(String(tr.mid));
        const b = this.remoteMedia.get(info.track_id);
        if (b && b.mid === String(tr.mid)) { this.remoteMedia.delete(info.track_id); changed = true; }
      }
    }
    if (changed) this.emit('media');
  }

  bindRemote(info, track, quiet = false) {
    const existing = this.remoteMedia.get(info.track_id);
    if (existing && existing.track === track && existing.mid === info.mid) return false;
    // One m-line carries one track: drop whatever this mid carried before.
    for (const [tid, b] of this.remoteMedia) {
      if (b.mid === info.mid && tid !== info.track_id) this.remoteMedia.delete(tid);
    }
    if (!this.watchedTracks.has(track)) {
      // Remote tracks are muted until frames arrive (and when the SFU stops forwarding).
      this.watchedTracks.add(track);
      track.addEventListener('mute', () => this.emit('media'));
      track.addEventListener('unmute', () => this.emit('media'));
    }
    this.remoteMedia.set(info.track_id, {
      track, participant_id: info.participant_id, source: info.source, kind: info.kind || track.kind, mid: info.mid,
    });
    const p = this.participants.get(info.participant_id);
    if (p && !p.tracks.has(info.track_id)) {
      p.tracks.set(info.track_id, { track_id: info.track_id, kind: info.kind || track.kind, source: info.source, muted: false });
    }
    if (!quiet) this.emit('media');
    return true;
  }

  /** The receiver of a bound remote track (for audio levels). */
  receiverFor(trackId) {
    const b = this.remoteMedia.get(trackId);
    if (!b || !this.subscriberPc) return null;
    const tr = this.subscriberPc.getTransceivers().find((t) => t.mid === b.mid);
    return tr ? tr.receiver : null;
  }

  // ---------------------------------------------------------------- events from the server

  upsertParticipant(p) {
    if (!p || !p.participant_id || p.participant_id === this.participantId) return;
    const existing = this.participants.get(p.participant_id);
    const tracks = existing ? existing.tracks : new Map();
    for (const t of p.tracks || []) tracks.set(t.track_id, { ...t, muted: !!t.muted });
    this.participants.set(p.participant_id, {
      participant_id: p.participant_id,
      display_name: p.display_name || (existing && existing.display_name) || 'Guest',
      tracks,
      joined_at: existing ? existing.joined_at : Date.now(),
    });
  }

  removeRemoteTrack(trackId) {
    this.remoteMedia.delete(trackId);
    for (const [mid, info] of this.subscriberMids) if (info.track_id === trackId) this.subscriberMids.delete(mid);
  }

  onFrame(f) {
    switch (f.type) {
      case 'offer':
        if (f.pc === 'subscriber' || f.pc == null) this.onSubscriberOffer(f);
        break;
      case 'answer':
      case 'ack':
        break; // replies to our requests are consumed by request()
      case 'participant-joined':
        this.upsertParticipant(f.participant);
        this.emit('participants', { joined: f.participant });
        break;
      case 'participant-left': {
        const p = this.participants.get(f.participant_id);
        this.participants.delete(f.participant_id);
        for (const [tid, b] of [...this.remoteMedia]) if (b.participant_id === f.participant_id) this.removeRemoteTrack(tid);
        this.emit('participants', { left: p || { participant_id: f.participant_id } });
        this.emit('media');
        break;
      }
      case 'track-published': {
        if (!this.participants.has(f.participant_id)) this.upsertParticipant({ participant_id: f.participant_id });
        const p = this.participants.get(f.participant_id);
        if (p && f.track) p.tracks.set(f.track.track_id, { ...f.track, muted: !!f.track.muted });
        this.emit('participants');
        break;
      }
      case 'track-unpublished': {
        const p = this.participants.get(f.participant_id);
        if (p) p.tracks.delete(f.track_id);
        this.removeRemoteTrack(f.track_id);
        this.emit('participants');
        this.emit('media');
        break;
      }
      case 'track-muted': {
        const p = this.participants.get(f.participant_id);
        const t = p && p.tracks.get(f.track_id);
        if (t) t.muted = !!f.muted;
        this.emit('participants');
        break;
      }
      case 'chat':
        this.chat.push({ ...f });
        this.emit('chat', { message: f, own: f.participant_id === this.participantId });
        break;
      case 'joined':
        if (this.joinedWaiter) { this.joinedWaiter.resolve(f); this.joinedWaiter = null; }
        break;
      case 'resumed':
        break;
      case 'migrate':
        this.onMigrate(f);
        break;
      case 'pong':
      case 'waiting':
      case 'admitted':
      case 'denied':
      case 'removed':
      case 'meeting-ended':
        break; // the socket's close code that follows says what happens next
      case 'meeting-rules':
        this.rules = { ...f };
        if (!f.host) this.waiting.clear();
        this.emit('rules');
        break;
      case 'participant-waiting':
        this.waiting.set(f.participant_id, { participant_id: f.participant_id, display_name: f.display_name });
        this.emit('waiting', { waiting: f });
        break;
      case 'waiting-ended':
        this.waiting.delete(f.participant_id);
        this.emit('waiting');
        break;
      case 'muted-by-host': {
        for (const lt of this.local.values()) {
          if (lt.trackId !== f.track_id) continue;
          lt.track.enabled = false;
          lt.muted = true;
          lt.sentMuted = true; // the server muted it already
        }
        this.emit('local');
        this.emit('notice', { message: f.kind === 'audio' ? 'A host muted your microphone' : 'A host turned off your camera' });
        break;
      }
      case 'error':
        this.emit('error', { code: f.code, message: f.message });
        break;
      case 'active-speakers':
        // Who speaks, the dominant speaker first: the SFU decides from the audio levels (ADR 0022).
        this.activeSpeakers = Array.isArray(f.speakers) ? f.speakers : [];
        this.emit('speakers');
        break;
      case 'layers':
        this.applyLayers(f).catch((e) => console.warn(`convene: layers not applied (${e && e.message})`));
        break;
      default:
        break; // newer server messages are ignored
    }
  }

  wire(sig) {
    sig.onmessage = (f) => { if (sig === this.sig) this.onFrame(f); };
    sig.onclose = (ev, byUs) => { if (sig === this.sig) this.onSocketClose(ev, byUs); };
    sig.onframe = (dir, f) => {
      this.log.push({ dir, at: Date.now(), frame: f });
      if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    };
    return sig;
  }

  onSocketClose(ev, byUs) {
    if (byUs || this.closed) return;
    if (ev.code === 1000 && this.state === 'left') return;
    if (ev.code === 4409) return this.end('elsewhere');
    if (ev.code === 4401) return this.end('unauthorized');
    if (ev.code === 4403) return this.end('removed');
    if (ev.code === 4406) return this.end('denied');
    if (ev.code === 4410) return this.end('meeting_ended');
    if (ev.code !== 1000 && ev.code !== 1011 && this.resumeToken && this.state === 'joined') {
      this.reconnect(ev.code);
      return;
    }
    this.setState('disconnected', ev.code === 4408 ? 'heartbeat' : 'socket');
  }

  /**
   * The socket is gone but we are still in the meeting for the server's grace period, media
   * flowing: reopen it (100 ms backoff doubling to 2 s, up to 50 s) and resume.
   */
  async reconnect(code) {
    this.setState('reconnecting', code === 4408 ? 'heartbeat' : 'socket');
    const giveUpAt = Date.now() + RESUME_GIVE_UP_MS;
    for (let round = 0; !this.closed && Date.now() < giveUpAt; round++) {
      const sig = this.wire(new Signaling(resumeUrl(this.signalingBase)));
      try {
        await sig.connect();
        this.sig = sig;
        const resumed = await sig.request({ type: 'resume', token: this.resumeToken });
        if (this.closed) { sig.close(); return; }
        this.onResumed(resumed);
        return;
      } catch (e) {
        if (this.sig === sig) this.sig = null;
        sig.close();
        if (e && (e.code === 'resume_expired' || e.code === 'invalid_resume_token')) return this.end('expired');
      }
      const max = Math.min(2000, 100 * 2 ** Math.min(round, 10));
      await new Promise((r) => setTimeout(r, max / 2 + Math.random() * max / 2));
    }
    if (!this.closed) this.setState('disconnected', 'socket');
  }

  /**
   * The meeting's SFU died and the meeting moved (docs/signaling.md, "Migrate"): new peer
   * connections, the same local tracks published again, the new SFU's offer answered. The
   * people list, chat and our participant id stay; tiles come back as the new offer binds
   * each participant's tracks again.
   */
  onMigrate(f) {
    this.resumeToken = f.resume_token || this.resumeToken;
    this.migrating = true;
    const oldPub = this.publisherPc;
    const oldSub = this.subscriberPc;
    this.publisherPc = this.makePc('publisher', this.iceServers || []);
    this.subscriberPc = this.makePc('subscriber', this.iceServers || []);
    this.subscriberPc.ontrack = (ev) => this.onRemoteTrack(ev);
    for (const pc of [oldPub, oldSub]) {
      if (pc) try { pc.close(); } catch { /* ignore */ }
    }
    this.subscriberMids.clear();
    this.remoteMedia.clear();
    if (this.subscribeSettings) this.subscribeSettings.clear();
    const locals = [...this.local.values()];
    this.local.clear();
    for (const lt of locals) this.addLocal(lt.source, lt.track, lt.stream, lt.muted);
    this.emit('state');
    this.emit('local');
    this.emit('media');
    if (this.local.size > 0) {
      this.renegotiatePublisher().catch((e) => {
        console.warn('convene: publishing again after migrate failed', e);
        this.emit('error', { message: 'Could not send your media to the new media server.' });
      });
    }
  }

  onResumed(f) {
    this.resumeToken = f.resume_token || this.resumeToken;
    // What we sent on the old socket after the server had given it up is lost (a page starved
    // past the heartbeat sends into a socket the server already closed): every tile's settings
    // go again, or a small tile of someone who joined meanwhile keeps the top layer.
    if (this.subscribeSettings) this.subscribeSettings.clear();
    // What happened while we were away: the snapshot replaces the people list.
    const now = new Set((f.participants || []).map((p) => p.participant_id));
    for (const id of [...this.participants.keys()]) {
      if (!now.has(id)) {
        this.participants.delete(id);
        for (const [tid, b] of [...this.remoteMedia]) if (b.participant_id === id) this.removeRemoteTrack(tid);
      }
    }
    for (const p of f.participants || []) this.upsertParticipant(p);
    const seen = new Set(this.chat.map((m) => m.message_id));
    for (const m of f.chat || []) if (!seen.has(m.message_id)) this.chat.push({ ...m });
    this.setState('joined');
    this.emit('participants');
    this.emit('chat', { history: true });
    this.emit('media');
  }

  // ---------------------------------------------------------------- chat, leave

  sendChat(text) {
    const t = String(text || '').trim();
    if (!t) return false;
    if (!this.sig || !this.sig.open) throw new SignalingError('socket_closed', 'not connected');
    return this.sig.request({ type: 'chat', text: t.slice(0, 4000) });
  }

  /** A host action on this meeting (docs/signaling.md, "Hosts"); rejects with an ApiError (e.g. not_host). */
  moderate(action, body) {
    return api.moderate(this.meetingId, action, body);
  }

  leave() {
    if (this.sig && this.sig.open) this.sig.sendRequest({ type: 'leave' });
    this.teardown({ keepLocal: false });
    this.setState('left');
  }

  end(reason) {
    this.teardown({ keepLocal: false });
    this.setState('ended', reason);
  }

  /** Closes socket and peer connections; keepLocal keeps camera/mic for a rejoin. */
  teardown({ keepLocal = false } = {}) {
    if (this.closed) return;
    this.closed = true;
    if (this.joinedWaiter) {
      this.joinedWaiter.reject(new SignalingError('socket_closed', 'left the waiting room'));
      this.joinedWaiter = null;
    }
    const sig = this.sig;
    // Let the server close after `leave` (code 1000); close ourselves if it does not soon.
    if (sig) setTimeout(() => sig.close(1000, 'leave'), 600);
    for (const pc of [this.publisherPc, this.subscriberPc]) {
      if (pc) try { pc.close(); } catch { /* ignore */ }
    }
    const screen = this.local.get('screen');
    if (screen) screen.track.stop();
    if (!keepLocal) for (const t of this.localStream.getTracks()) t.stop();
    this.remoteMedia.clear();
  }
}

/**
 * Puts the video codec named in localStorage["convene.videoCodec"] (e.g. "H264", "VP8", "VP9") first
 * in the offer; the SFU forwards the first codec it can in the client's order. Without the
 * setting the browser's own order stands (VP8 first in Chromium).
 */
const SIMULCAST_ENCODINGS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/** `localStorage["convene.simulcast"] = "off"` publishes the camera as one stream. */
function simulcastWanted() {
  try { return localStorage.getItem('convene.simulcast') !== 'off'; } catch { return true; }
}

/** localStorage["convene.videoCodec"] in lower case, or null. */
function preferredVideoCodec() {
  try { return (localStorage.getItem('convene.videoCodec') || '').toLowerCase() || null; } catch { return null; }
}

function preferVideoCodec(transceiver) {
  const wanted = preferredVideoCodec();
  if (!wanted || !transceiver.setCodecPreferences || !window.RTCRtpSender || !RTCRtpSender.getCapabilities) return;
  const codecs = (RTCRtpSender.getCapabilities('video') || {}).codecs || [];
  const mime = `video/${wanted}`.toLowerCase();
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === mime
    && (mime !== 'video/h264' || /packetization-mode=1/.test(c.sdpFmtpLine || ''))
    && (mime !== 'video/vp9' || !/profile-id=[^0]/.test(c.sdpFmtpLine || '')));
  if (first.length === 0) return;
  const rest = codecs.filter((c) => !first.includes(c));
  try { transceiver.setCodecPreferences([...first, ...rest]); } catch (e) { console.warn('convene: codec preference ignored', e); }
}
