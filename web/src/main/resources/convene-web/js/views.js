// Landing, pre-join and end screens. Each view returns {el, destroy()}.
import { h, toast, initials, colorFor, copyText, meetingLink } from '/js/dom.js';
import { icon } from '/js/icons.js';
import { api, savedName, saveName, friendlyError, accessToken } from '/js/api.js';

function logo() {
  return h('a', { class: 'brand', href: '/', 'data-link': '' },
    h('span', { class: 'brand-mark' }, icon('videoCall', 22)),
    h('span', { class: 'brand-name' }, 'Convene'));
}

function topbar(...right) {
  return h('header', { class: 'topbar' }, logo(), h('div', { class: 'topbar-right' }, right));
}

function clockText() {
  return new Date().toLocaleString([], { hour: '2-digit', minute: '2-digit', weekday: 'short', month: 'short', day: 'numeric' });
}

/** Meeting id from what someone typed or pasted: an id, /m/{id}, or a full link. */
export function parseMeetingInput(input) {
  const s = String(input || '').trim();
  if (!s) return '';
  const m = s.match(/\/m\/([^/?#\s]+)/);
  if (m) return decodeURIComponent(m[1]);
  if (/^[a-z]+:\/\//i.test(s)) {
    try {
      const parts = new URL(s).pathname.split('/').filter(Boolean);
      return parts.length ? decodeURIComponent(parts[parts.length - 1]) : '';
    } catch { return ''; }
  }
  return s.replace(/\s+/g, '');
}

// ------------------------------------------------------------------ landing

export function landingView({ navigate }) {
  const nameInput = h('input', {
    class: 'field', id: 'landing-name', testid: 'display-name-input', type: 'text', maxlength: '64',
    placeholder: 'Your name', autocomplete: 'name', value: savedName(),
  });
  const joinInput = h('input', {
    class: 'field', testid: 'join-id-input', type: 'text', placeholder: 'Enter a code or link',
    autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Meeting code or link',
  });
  const error = h('p', { class: 'form-error', testid: 'landing-error', role: 'alert' });
  const newBtn = h('button', { class: 'btn btn-primary btn-lg', testid: 'new-meeting-button', type: 'button' },
    icon('videoCall', 20), h('span', null, 'New meeting'));
  const joinBtn = h('button', { class: 'btn btn-text btn-lg', testid: 'join-button', type: 'submit', disabled: true }, 'Join');

  const setError = (msg) => { error.textContent = msg || ''; error.classList.toggle('visible', !!msg); };
  const busy = (btn, on) => { btn.disabled = on; btn.classList.toggle('busy', on); };

  nameInput.addEventListener('input', () => saveName(nameInput.value));
  joinInput.addEventListener('input', () => { joinBtn.disabled = !joinInput.value.trim(); setError(''); });

  newBtn.addEventListener('click', async () => {
    setError('');
    saveName(nameInput.value);
    busy(newBtn, true);
    try {
      await accessToken();
      const m = await api.createMeeting();
      sessionStorage.setItem('convene.created', m.meeting_id);
      navigate(`/m/${encodeURIComponent(m.meeting_id)}`);
    } catch (e) {
      setError(friendlyError(e));
      busy(newBtn, false);
    }
  });

  const form = h('form', { class: 'join-form', onsubmit: async (ev) => {
    ev.preventDefault();
    setError('');
    saveName(nameInput.value);
    const id = parseMeetingInput(joinInput.value);
    if (!id) { setError('Enter a meeting code or link.'); return; }
    busy(joinBtn, true);
    try {
      await api.getMeeting(id);
      navigate(`/m/${encodeURIComponent(id)}`);
    } catch (e) {
      setError(friendlyError(e));
      busy(joinBtn, false);
      joinBtn.disabled = !joinInput.value.trim();
    }
  } },
  h('div', { class: 'field-with-icon' }, icon('keyboard', 20), joinInput), joinBtn);

  const el = h('div', { class: 'page page-landing' },
    topbar(h('span', { class: 'topbar-clock' }, clockText())),
    h('main', { class: 'landing' },
      h('section', { class: 'landing-copy' },
        h('h1', null, 'Video meetings for everyone'),
        h('p', { class: 'lead' }, 'Talk, see each other, share your screen and chat — on a server you run yourself.'),
        h('label', { class: 'label', for: 'landing-name' }, 'Your name'),
        h('div', { class: 'name-row' }, nameInput),
        h('div', { class: 'landing-actions' }, newBtn, form),
        error,
        h('hr', { class: 'divider' }),
        h('p', { class: 'hint' }, 'Anyone with the link can join. No account needed.')),
      h('section', { class: 'landing-art', 'aria-hidden': 'true' }, heroArt())));
  return { el, destroy() {}, focus: () => (nameInput.value ? joinInput : nameInput).focus() };
}

function heroArt() {
  const people = [['Ada Lovelace', 'a'], ['Grace Hopper', 'b'], ['Alan Turing', 'c'], ['Katherine J', 'd']];
  return h('div', { class: 'art' },
    h('div', { class: 'art-grid' }, people.map(([n, id], i) =>
      h('div', { class: `art-tile ${i === 1 ? 'speaking' : ''}` },
        h('span', { class: 'avatar-circle', style: { background: colorFor(id) } }, initials(n)),
        h('span', { class: 'art-name' }, n.split(' ')[0])))),
    h('div', { class: 'art-bar' },
      h('span', { class: 'art-btn' }, icon('mic', 18)), h('span', { class: 'art-btn' }, icon('cam', 18)),
      h('span', { class: 'art-btn' }, icon('screen', 18)), h('span', { class: 'art-btn red' }, icon('callEnd', 18))));
}

// ------------------------------------------------------------------ pre-join

/**
 * Camera/mic preview, name, "Join now". onJoin({displayName, stream, micOn, camOn}) hands the
 * captured stream over (the view then does not stop it).
 */
export function prejoinView({ meetingId, navigate, onJoin, prefs = {} }) {
  let stream = null;
  let micOn = prefs.micOn !== false;
  let camOn = prefs.camOn !== false;
  let handedOver = false;
  let destroyed = false;

  const video = h('video', { class: 'mirror', autoplay: true, playsinline: true, muted: true });
  const avatar = h('div', { class: 'preview-avatar' });
  const status = h('div', { class: 'preview-status' }, 'Starting camera…');
  const micBtn = h('button', { class: 'round-btn', testid: 'prejoin-mic-toggle', type: 'button' });
  const camBtn = h('button', { class: 'round-btn', testid: 'prejoin-camera-toggle', type: 'button' });
  const nameInput = h('input', {
    class: 'field', id: 'prejoin-name', testid: 'display-name-input', type: 'text', maxlength: '64',
    placeholder: 'Your name', autocomplete: 'name', value: savedName(),
  });
  const joinBtn = h('button', { class: 'btn btn-primary btn-lg btn-pill', testid: 'join-now-button', type: 'submit' }, 'Join now');
  const meetingStatus = h('p', { class: 'meeting-status', testid: 'meeting-status' }, 'Checking the meeting…');
  const error = h('p', { class: 'form-error', testid: 'prejoin-error', role: 'alert' });
  const passwordInput = h('input', {
    class: 'field', id: 'prejoin-password', testid: 'meeting-password-input', type: 'password', maxlength: '128',
    placeholder: 'Meeting password', autocomplete: 'off',
  });
  const passwordRow = h('div', { class: 'password-row', hidden: true },
    h('label', { class: 'label', for: 'prejoin-password' }, 'Password'), passwordInput);
  const link = meetingLink(meetingId);
  const copyBtn = h('button', { class: 'icon-btn', testid: 'copy-link-button', type: 'button', title: 'Copy meeting link', 'aria-label': 'Copy meeting link' }, icon('copy', 18));
  const preview = h('div', { class: 'preview' }, video, avatar, status,
    h('div', { class: 'preview-name' }), h('div', { class: 'preview-controls' }, micBtn, camBtn));

  const setError = (msg) => { error.textContent = msg || ''; error.classList.toggle('visible', !!msg); };
  const updateName = () => {
    const n = nameInput.value.trim();
    avatar.replaceChildren(h('span', { class: 'avatar-circle big', style: { background: colorFor(n || 'x') } }, initials(n || '?')));
    preview.querySelector('.preview-name').textContent = n;
  };

  function render() {
    const hasVideo = !!(stream && stream.getVideoTracks().length);
    const hasAudio = !!(stream && stream.getAudioTracks().length);
    if (stream) {
      for (const t of stream.getAudioTracks()) t.enabled = micOn;
      for (const t of stream.getVideoTracks()) t.enabled = camOn;
    }
    const showVideo = hasVideo && camOn;
    preview.classList.toggle('video-off', !showVideo);
    micBtn.replaceChildren(icon(micOn && hasAudio ? 'mic' : 'micOff'));
    camBtn.replaceChildren(icon(camOn && hasVideo ? 'cam' : 'camOff'));
    micBtn.classList.toggle('off', !(micOn && hasAudio));
    camBtn.classList.toggle('off', !(camOn && hasVideo));
    micBtn.dataset.state = micOn && hasAudio ? 'on' : 'off';
    camBtn.dataset.state = camOn && hasVideo ? 'on' : 'off';
    micBtn.setAttribute('aria-pressed', String(!(micOn && hasAudio)));
    camBtn.setAttribute('aria-pressed', String(!(camOn && hasVideo)));
    micBtn.title = micOn ? 'Turn off microphone' : 'Turn on microphone';
    camBtn.title = camOn ? 'Turn off camera' : 'Turn on camera';
    micBtn.setAttribute('aria-label', micBtn.title);
    camBtn.setAttribute('aria-label', camBtn.title);
  }

  async function acquire() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = 'This browser cannot use a camera here (a secure https:// or localhost page is needed).';
      render();
      return;
    }
    const tries = [
      { audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } },
      { audio: true },
      { video: { width: { ideal: 1280 }, height: { ideal: 720 } } },
    ];
    let lastErr = null;
    for (const c of tries) {
      try {
        const s = await navigator.mediaDevices.getUserMedia(c);
        if (destroyed) { s.getTracks().forEach((t) => t.stop()); return; }
        stream = s;
        break;
      } catch (e) {
        lastErr = e;
        if (e && e.name === 'NotAllowedError') break;
      }
    }
    if (stream) {
      video.srcObject = stream;
      status.textContent = stream.getVideoTracks().length ? '' : 'No camera found';
    } else {
      status.textContent = lastErr && lastErr.name === 'NotAllowedError'
        ? 'Camera and microphone are blocked. Allow them in the address bar, or join without.'
        : 'No camera or microphone found. You can still join and chat.';
    }
    status.classList.toggle('visible', !!status.textContent);
    render();
  }

  micBtn.addEventListener('click', () => { micOn = !micOn; render(); });
  camBtn.addEventListener('click', () => { camOn = !camOn; render(); });
  nameInput.addEventListener('input', () => { saveName(nameInput.value); updateName(); });
  copyBtn.addEventListener('click', async () => {
    if (await copyText(link)) toast('Meeting link copied', 'success', 2500);
    else toast("Couldn't copy — select the link and copy it", 'error');
  });

  const form = h('form', { class: 'prejoin-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const displayName = nameInput.value.trim() || 'Guest';
    if (nameInput.value.trim()) saveName(displayName);
    setError('');
    joinBtn.disabled = true;
    joinBtn.classList.add('busy');
    joinBtn.textContent = 'Joining…';
    handedOver = true;
    try {
      // A quick click must not join without the camera and microphone still being opened.
      await acquiring;
      await onJoin({ displayName, stream, micOn, camOn, password: passwordInput.value || null });
    } catch (e) {
      handedOver = false;
      if (e && e.code === 'wrong_password') passwordRow.hidden = false;
      setError(friendlyError(e));
      joinBtn.disabled = false;
      joinBtn.classList.remove('busy');
      joinBtn.textContent = 'Join now';
    }
  } },
  h('label', { class: 'label', for: 'prejoin-name' }, 'Your name'),
  nameInput, passwordRow, joinBtn, error);

  const el = h('div', { class: 'page page-prejoin' },
    topbar(),
    h('main', { class: 'prejoin' },
      h('section', { class: 'prejoin-preview' }, preview),
      h('section', { class: 'prejoin-side' },
        h('h1', null, 'Ready to join?'),
        meetingStatus,
        form,
        h('div', { class: 'link-box' },
          h('span', { class: 'link-icon' }, icon('link', 18)),
          h('span', { class: 'link-text', testid: 'meeting-link', title: link }, link),
          copyBtn))));

  updateName();
  render();
  const acquiring = acquire();

  // Meeting details (and an early "not found").
  (async () => {
    try {
      const m = await api.getMeeting(meetingId);
      if (destroyed) return;
      const n = Number(m.participant_count) || 0;
      meetingStatus.textContent = n === 0 ? 'No one else is here yet'
        : n === 1 ? '1 person is in this meeting' : `${n} people are in this meeting`;
      if (m.title) meetingStatus.textContent = `${m.title} · ${meetingStatus.textContent}`;
      if (m.password_required) passwordRow.hidden = false;
    } catch (e) {
      if (destroyed) return;
      if (e.code === 'meeting_not_found') {
        meetingStatus.textContent = '';
        setError(friendlyError(e));
        joinBtn.disabled = true;
      } else {
        meetingStatus.textContent = '';
      }
    }
  })();

  return {
    el,
    focus: () => { if (!nameInput.value) nameInput.focus(); else joinBtn.focus(); },
    destroy() {
      destroyed = true;
      if (!handedOver && stream) stream.getTracks().forEach((t) => t.stop());
    },
  };
}

// ------------------------------------------------------------------ after a meeting

export function leftView({ title = 'You left the meeting', message = '', onRejoin, navigate, testid = 'left-screen', reason = '' }) {
  const rejoin = onRejoin && h('button', { class: 'btn btn-outline btn-lg', testid: 'rejoin-button', type: 'button', onclick: onRejoin }, 'Rejoin');
  const home = h('button', { class: 'btn btn-primary btn-lg', testid: 'home-button', type: 'button', onclick: () => navigate('/') }, 'Return to home screen');
  const el = h('div', { class: 'page page-left' },
    topbar(),
    h('main', { class: 'left', testid, dataset: { reason: reason || '' } },
      h('h1', null, title),
      message ? h('p', { class: 'lead', testid: 'ended-message' }, message) : null,
      h('div', { class: 'left-actions' }, rejoin, home)));
  return { el, destroy() {}, focus: () => (rejoin || home).focus() };
}

/** The waiting room: until a host admits (the meeting screen follows) or denies (the ended screen). */
export function waitingView({ onLeave }) {
  const leave = h('button', { class: 'btn btn-outline btn-lg', testid: 'waiting-leave-button', type: 'button', onclick: onLeave }, 'Leave');
  const el = h('div', { class: 'page page-left' },
    topbar(),
    h('main', { class: 'left', testid: 'waiting-screen' },
      h('h1', null, 'Waiting to be let in'),
      h('p', { class: 'lead' }, 'A host of the meeting will let you in soon.'),
      h('div', { class: 'left-actions' }, leave)));
  return { el, destroy() {}, focus: () => leave.focus() };
}
