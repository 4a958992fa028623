// Convene web client entry point: a tiny router over three screens
//   /            landing (new meeting, join by code or link)
//   /m/{id}      pre-join (preview, name) -> meeting -> left
// plus window.convene, the stable debug/test hook (see web/README.md).
import { h, toast } from '/js/dom.js';
import { friendlyError } from '/js/api.js';
import { MeetingSession } from '/js/session.js';
import { landingView, prejoinView, leftView, waitingView } from '/js/views.js';
import { meetingView } from '/js/meeting-view.js';

const root = document.getElementById('app');
let current = null; // mounted view
let session = null; // MeetingSession while in (or just after) a meeting
let appState = 'landing';
let meetingId = null;
let lastPrefs = { micOn: true, camOn: true };
let lastPassword = null; // the meeting password typed at pre-join, for Rejoin

function mount(view, state) {
  if (current) { try { current.destroy(); } catch (e) { console.warn(e); } }
  current = view;
  appState = state;
  root.replaceChildren(view.el);
  document.body.dataset.state = state;
  if (view.focus) requestAnimationFrame(() => view.focus());
}

function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  route();
}

function route() {
  if (session && !session.closed) {
    // Back button or a link while in a call: leave properly first.
    session.leave();
  }
  session = null;
  const m = location.pathname.match(/^\/m\/([^/]+)\/?$/);
  if (m) {
    meetingId = decodeURIComponent(m[1]);
    document.title = `Convene · ${meetingId}`;
    showPrejoin();
  } else {
    meetingId = null;
    document.title = 'Convene';
    if (location.pathname !== '/' && location.pathname !== '/index.html') history.replaceState({}, '', '/');
    mount(landingView({ navigate }), 'landing');
  }
}

function showPrejoin() {
  mount(prejoinView({ meetingId, navigate, prefs: lastPrefs, onJoin: joinMeeting }), 'prejoin');
}

/** Joins with the pre-join screen's stream; resolves once in the meeting, rejects on failure. */
async function joinMeeting({ displayName, stream, micOn, camOn, password }) {
  lastPrefs = { micOn, camOn };
  lastPassword = password || lastPassword;
  const s = new MeetingSession({ meetingId, displayName, localStream: stream, micOn, camOn, password: lastPassword });
  session = s;
  appState = 'joining';
  document.body.dataset.state = 'joining';
  s.addEventListener('change', (ev) => {
    if (ev.detail.what !== 'state' || session !== s) return;
    if (s.state === 'joined' && appState !== 'joined') {
      // After a resume the meeting view is still mounted; it shows the state itself.
      mount(meetingView({ session: s, onLeave: () => leave(s), onRejoin: () => rejoin(s) }), 'joined');
    } else if (s.state === 'waiting') {
      mount(waitingView({ onLeave: () => leave(s) }), 'waiting');
    } else if (s.state === 'disconnected') {
      appState = 'disconnected';
      document.body.dataset.state = appState;
    } else if (s.state === 'ended') {
      showEnded(s.endReason);
    }
  });
  try {
    await s.start();
  } catch (e) {
    // Left, ended or dropped while still negotiating: that screen already says so.
    if (session !== s || ['left', 'ended', 'disconnected'].includes(s.state)) return;
    if (s.state === 'joined') {
      console.warn('convene: publishing failed', e);
      toast(`Couldn't send your camera and microphone: ${friendlyError(e)}`, 'error', 6000);
      return;
    }
    s.teardown({ keepLocal: true });
    session = null;
    appState = 'prejoin';
    document.body.dataset.state = appState;
    throw e;
  }
}

function leave(s) {
  lastPrefs = { micOn: s.isLocalOn('microphone'), camOn: s.isLocalOn('camera') };
  s.leave();
  mount(leftView({ navigate, onRejoin: () => rejoinFresh(s.displayName) }), 'left');
}

function showEnded(reason) {
  const messages = {
    elsewhere: 'You joined this meeting from another tab or device.',
    unauthorized: 'Your join link expired. Rejoin to get a new one.',
    removed: 'A host removed you from this meeting.',
    denied: 'A host did not let you in.',
    meeting_ended: 'A host ended the meeting for everyone.',
  };
  mount(leftView({
    title: 'You were disconnected', message: messages[reason] || '', navigate,
    onRejoin: () => rejoinFresh(session ? session.displayName : ''), testid: 'ended-screen', reason,
  }), 'left');
}

/** After "Leave": join again straight away with fresh camera/mic, back to pre-join if that fails. */
async function rejoinFresh(displayName) {
  if (!meetingId) return navigate('/');
  let stream = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
  } catch {
    return showPrejoin();
  }
  try {
    await joinMeeting({ displayName, stream, micOn: lastPrefs.micOn, camOn: lastPrefs.camOn });
  } catch (e) {
    stream.getTracks().forEach((t) => t.stop());
    toast(friendlyError(e), 'error');
    showPrejoin();
  }
}

/** From the connection banner: a fresh join keeping the camera and microphone. */
async function rejoin(s) {
  const mic = s.local.get('microphone');
  const cam = s.local.get('camera');
  const tracks = [mic, cam].filter(Boolean).map((l) => l.track).filter((t) => t.readyState === 'live');
  const prefs = { micOn: s.isLocalOn('microphone'), camOn: s.isLocalOn('camera') };
  if (s.sig && s.sig.open) s.sig.sendRequest({ type: 'leave' });
  s.teardown({ keepLocal: true });
  for (const t of tracks) t.enabled = true;
  try {
    await joinMeeting({ displayName: s.displayName, stream: new MediaStream(tracks), ...prefs });
  } catch (e) {
    toast(friendlyError(e), 'error');
    tracks.forEach((t) => t.stop());
    showPrejoin();
  }
}

// Links inside the app (the logo) navigate without reloading.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[data-link]');
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);
window.addEventListener('pagehide', () => { if (session && !session.closed) session.leave(); });

function participantsView() {
  const out = new Map();
  if (!session) return out;
  for (const [id, p] of session.participants) {
    out.set(id, {
      participant_id: id,
      display_name: p.display_name,
      tracks: [...p.tracks.values()].map((t) => ({ ...t, receiving: session.remoteMedia.has(t.track_id) })),
    });
  }
  return out;
}

// The test/debug hook. Keep these names stable: the Playwright tests read them.
window.convene = Object.freeze({
  get meetingId() { return meetingId; },
  get participantId() { return session ? session.participantId : null; },
  get displayName() { return session ? session.displayName : null; },
  get publisherPc() { return session ? session.publisherPc : null; },
  get subscriberPc() { return session ? session.subscriberPc : null; },
  /** Map participant_id -> {participant_id, display_name, tracks: [{track_id, kind, source, muted, receiving}]}; others only. */
  get participants() { return participantsView(); },
  /** 'landing' | 'prejoin' | 'joining' | 'waiting' | 'joined' | 'disconnected' | 'left' */
  get state() { return appState; },
  /** source -> {track_id, mid, kind, muted} of what we publish */
  get localTracks() {
    const out = {};
    if (session) for (const [src, l] of session.local) out[src] = { track_id: l.trackId, mid: l.mid, kind: l.kind, muted: l.muted };
    return out;
  },
  get chat() { return session ? session.chat.slice() : []; },
  /** {host_id, host, locked, waiting_room, self_unmute} from the last `meeting-rules`, or null */
  get rules() { return session && session.rules ? { ...session.rules } : null; },
  /** Map participant_id -> {participant_id, display_name}: who waits to be admitted (hosts only) */
  get waiting() { return session ? new Map(session.waiting) : new Map(); },
  /** Last 500 signaling frames: {dir: 'in'|'out', at, frame}. */
  get frames() { return session ? session.log.slice() : []; },
  get session() { return session; },
});

route();
