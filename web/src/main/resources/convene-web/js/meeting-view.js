// The in-meeting screen: tile grid (or stage + strip while someone presents), control bar,
// people/chat side panel, remote audio elements, connection banner.
import { h, toast, initials, colorFor, formatTime, copyText, meetingLink } from '/js/dom.js';
import { icon } from '/js/icons.js';
import { friendlyError } from '/js/api.js';

const TILE_ASPECT = 16 / 9;
const GAP = 8;

export function meetingView({ session, onLeave, onRejoin }) {
  const tiles = new Map(); // 'self' | participant_id -> tile record
  const audioEls = new Map(); // track_id -> <audio>
  let panel = null; // null | 'people' | 'chat'
  let unread = 0;
  let audioBlocked = false;
  let stageKey = null;
  let destroyed = false;

  // ---------------------------------------------------------------- skeleton
  const banner = h('div', { class: 'banner', testid: 'connection-banner', role: 'alert', hidden: true });
  const tilesEl = h('section', { class: 'tiles', testid: 'tiles', 'aria-label': 'Participants' });
  // A grid of more than PAGE_SIZE tiles is paged; tiles of other pages are hidden, so the
  // visibility observer pauses their video at the SFU (subscribe-settings paused).
  const PAGE_SIZE = 9;
  let page = 0;
  const pageLabel = h('span', { class: 'pager-label', testid: 'pager-label' });
  const prevPage = h('button', { class: 'icon-btn', testid: 'page-prev', type: 'button', 'aria-label': 'Previous page',
    onclick: () => { page -= 1; renderTiles(); } }, '‹');
  const nextPage = h('button', { class: 'icon-btn', testid: 'page-next', type: 'button', 'aria-label': 'Next page',
    onclick: () => { page += 1; renderTiles(); } }, '›');
  const pager = h('div', { class: 'pager', testid: 'pager', hidden: true }, prevPage, pageLabel, nextPage);
  const stageHost = h('section', { class: 'stage-host' });
  const panelEl = h('aside', { class: 'side-panel', testid: 'side-panel', 'aria-label': 'Side panel' });
  const audioSink = h('div', { class: 'audio-sink', 'aria-hidden': 'true' });
  const enableAudio = h('button', { class: 'enable-audio', testid: 'enable-audio', type: 'button', hidden: true },
    icon('volume', 20), h('span', null, 'Click to enable audio'));
  const readyCard = h('div', { class: 'ready-card', hidden: true });

  const clock = h('span', { class: 'clock' });
  const code = h('span', { class: 'meeting-code', testid: 'meeting-id', title: session.meetingId }, session.meetingId);

  const micBtn = ctrlButton('mic-toggle', 'mic');
  const camBtn = ctrlButton('camera-toggle', 'cam');
  const screenBtn = ctrlButton('screen-share-toggle', 'screen');
  const leaveBtn = h('button', { class: 'ctrl ctrl-leave', testid: 'leave-button', type: 'button', title: 'Leave call', 'aria-label': 'Leave call' }, icon('callEnd'));
  const countEl = h('span', { class: 'count-badge', testid: 'participant-count' }, '1');
  const peopleBtn = h('button', { class: 'ctrl ctrl-flat', testid: 'people-toggle', type: 'button', title: 'People', 'aria-label': 'People' }, icon('people'), countEl);
  const unreadEl = h('span', { class: 'unread-badge', testid: 'chat-unread', hidden: true });
  const chatBtn = h('button', { class: 'ctrl ctrl-flat', testid: 'chat-toggle', type: 'button', title: 'Chat with everyone', 'aria-label': 'Chat with everyone' }, icon('chat'), unreadEl);

  const controls = h('footer', { class: 'controls' },
    h('div', { class: 'controls-left' }, clock, h('span', { class: 'sep' }, '|'), code),
    h('div', { class: 'controls-center' }, micBtn, camBtn, screenBtn, leaveBtn),
    h('div', { class: 'controls-right' }, peopleBtn, chatBtn));

  const el = h('div', { class: 'page meeting', testid: 'meeting', dataset: { layout: 'grid' } },
    banner,
    h('div', { class: 'meeting-body' },
      h('main', { class: 'meeting-main' }, stageHost, tilesEl, pager, enableAudio, readyCard),
      panelEl),
    controls, audioSink);

  function ctrlButton(testid, iconName) {
    const b = h('button', { class: 'ctrl', testid, type: 'button' }, icon(iconName));
    return b;
  }
  function setCtrl(btn, { on, iconOn, iconOff, labelOn, labelOff, offIsAlert = true }) {
    btn.replaceChildren(icon(on ? iconOn : iconOff));
    btn.dataset.state = on ? 'on' : 'off';
    btn.classList.toggle('ctrl-off', !on && offIsAlert);
    btn.classList.toggle('ctrl-active', on && !offIsAlert);
    btn.setAttribute('aria-pressed', String(offIsAlert ? !on : on));
    btn.title = on ? labelOn : labelOff;
    btn.setAttribute('aria-label', btn.title);
  }

  // ---------------------------------------------------------------- controls
  micBtn.addEventListener('click', () => toggleLocal('microphone'));
  camBtn.addEventListener('click', () => toggleLocal('camera'));
  async function toggleLocal(source) {
    try {
      await session.setLocalEnabled(source, !session.isLocalOn(source));
    } catch (e) {
      toast(e && e.name === 'NotAllowedError' ? `Allow ${source === 'camera' ? 'camera' : 'microphone'} access in your browser to turn it on.`
        : e && e.name === 'NotFoundError' ? `No ${source === 'camera' ? 'camera' : 'microphone'} found.` : friendlyError(e), 'error');
    }
    renderControls();
  }
  screenBtn.addEventListener('click', async () => {
    try {
      const cur = session.local.get('screen');
      if (cur && !cur.stopping) await session.stopScreenShare();
      else await session.startScreenShare();
    } catch (e) {
      if (e && e.name === 'NotAllowedError') return; // picker cancelled
      toast(e && e.name === 'NotSupportedError' ? 'Screen sharing is not supported in this browser.' : friendlyError(e), 'error');
    }
    renderAll();
  });
  leaveBtn.addEventListener('click', () => onLeave());
  peopleBtn.addEventListener('click', () => setPanel(panel === 'people' ? null : 'people'));
  chatBtn.addEventListener('click', () => setPanel(panel === 'chat' ? null : 'chat'));
  enableAudio.addEventListener('click', () => {
    audioBlocked = false;
    enableAudio.hidden = true;
    for (const a of audioEls.values()) playAudio(a);
  });

  const onKey = (ev) => {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return;
    const k = ev.key.toLowerCase();
    if (k === 'd') { ev.preventDefault(); toggleLocal('microphone'); }
    if (k === 'e') { ev.preventDefault(); toggleLocal('camera'); }
  };
  document.addEventListener('keydown', onKey);

  function renderControls() {
    const hasMic = session.local.has('microphone');
    const hasCam = session.local.has('camera');
    setCtrl(micBtn, { on: session.isLocalOn('microphone'), iconOn: 'mic', iconOff: 'micOff',
      labelOn: 'Turn off microphone (ctrl + d)', labelOff: hasMic ? 'Turn on microphone (ctrl + d)' : 'No microphone — click to try again' });
    setCtrl(camBtn, { on: session.isLocalOn('camera'), iconOn: 'cam', iconOff: 'camOff',
      labelOn: 'Turn off camera (ctrl + e)', labelOff: hasCam ? 'Turn on camera (ctrl + e)' : 'No camera — click to try again' });
    const sharing = session.local.has('screen') && !session.local.get('screen').stopping;
    setCtrl(screenBtn, { on: sharing, iconOn: 'screenStop', iconOff: 'screen',
      labelOn: 'Stop presenting', labelOff: 'Present your screen', offIsAlert: false });
    screenBtn.hidden = !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
    countEl.textContent = String(session.participants.size + 1);
    peopleBtn.classList.toggle('ctrl-active', panel === 'people');
    chatBtn.classList.toggle('ctrl-active', panel === 'chat');
    unreadEl.hidden = unread === 0;
    unreadEl.textContent = unread > 99 ? '99+' : String(unread);
  }

  // ---------------------------------------------------------------- tiles
  function makeTile(key, isSelf) {
    const video = h('video', { autoplay: true, playsinline: true, muted: true, class: isSelf ? 'mirror' : '' });
    const avatar = h('div', { class: 'tile-avatar' });
    const name = h('span', { class: 'tile-name-text' });
    const mic = h('span', { class: 'tile-mic', testid: 'mic-muted-indicator', title: 'Microphone off' }, icon('micOff', 16));
    const el = h('div', { class: 'tile', testid: isSelf ? 'self-tile' : 'tile' },
      video, avatar, h('div', { class: 'tile-label' }, mic, name));
    if (!isSelf) el.dataset.participantId = key;
    const rec = { key, el, video, avatar, name, mic, track: null, nameText: null, trackId: null, visible: true };
    if (!isSelf) {
      sizeObserver.observe(el);
      visibility.observe(el);
    }
    // Until the first frame is decoded the element is black: keep showing the avatar.
    const showFrames = () => { if (video.videoWidth > 0) el.classList.remove('waiting'); };
    video.addEventListener('loadeddata', showFrames);
    video.addEventListener('resize', showFrames);
    video.addEventListener('playing', showFrames);
    tiles.set(key, rec);
    return rec;
  }

  function updateTile(rec, { name, videoTrack, camOff, micMuted, participantId, isSelf }) {
    if (rec.nameText !== name) {
      rec.nameText = name;
      rec.name.textContent = isSelf ? `${name} (You)` : name;
      rec.el.dataset.name = name;
      rec.avatar.replaceChildren(h('span', { class: 'avatar-circle', style: { background: colorFor(participantId || name) } }, initials(name)));
    }
    const track = camOff ? null : videoTrack;
    if (rec.track !== track) {
      rec.track = track;
      rec.el.classList.toggle('waiting', !!track);
      rec.video.srcObject = track ? new MediaStream([track]) : null;
      if (track) rec.video.play().catch(() => {});
    }
    rec.el.classList.toggle('video-off', !track);
    rec.el.dataset.cameraOff = String(!track);
    rec.el.dataset.micMuted = String(!!micMuted);
    rec.mic.hidden = !micMuted;
  }

  function remoteTrackOf(p, source) {
    for (const t of p.tracks.values()) {
      if (t.source !== source) continue;
      const m = session.remoteMedia.get(t.track_id);
      return { info: t, media: m || null };
    }
    // Media bound before track-published arrived.
    for (const m of session.remoteMedia.values()) {
      if (m.participant_id === p.participant_id && m.source === source) return { info: { muted: false }, media: m };
    }
    return null;
  }

  function renderTiles() {
    const wanted = new Set(['self']);
    let self = tiles.get('self') || makeTile('self', true);
    const cam = session.local.get('camera');
    updateTile(self, {
      name: session.displayName, isSelf: true, participantId: session.participantId || 'self',
      videoTrack: cam ? cam.track : null, camOff: !session.isLocalOn('camera'), micMuted: !session.isLocalOn('microphone'),
    });
    const ordered = [...session.participants.values()].sort((a, b) => a.joined_at - b.joined_at);
    const order = [self];
    for (const p of ordered) {
      wanted.add(p.participant_id);
      const rec = tiles.get(p.participant_id) || makeTile(p.participant_id, false);
      const camT = remoteTrackOf(p, 'camera');
      const micT = remoteTrackOf(p, 'microphone');
      updateTile(rec, {
        name: p.display_name, participantId: p.participant_id,
        videoTrack: camT && camT.media ? camT.media.track : null,
        camOff: !camT || !camT.media || camT.info.muted || camT.media.track.muted,
        micMuted: !micT || micT.info.muted,
      });
      const camId = camT && camT.media ? (camT.info.track_id || findTrackId(camT.media)) : null;
      if (rec.trackId !== camId) {
        rec.trackId = camId;
        scheduleSubscribeSettings();
      }
      order.push(rec);
    }
    for (const [key, rec] of tiles) {
      if (!wanted.has(key)) {
        sizeObserver.unobserve(rec.el);
        visibility.unobserve(rec.el);
        rec.video.srcObject = null;
        rec.el.remove();
        tiles.delete(key);
      }
    }
    // Self first in a strip, last in a grid of more than two (as Meet does).
    const seq = el.dataset.layout === 'grid' && order.length > 2 ? [...order.slice(1), order[0]] : order;
    seq.forEach((rec, i) => {
      if (tilesEl.children[i] !== rec.el) tilesEl.insertBefore(rec.el, tilesEl.children[i] || null);
    });
    tilesEl.dataset.count = String(order.length);
    const paged = el.dataset.layout === 'grid' && seq.length > PAGE_SIZE;
    const pages = paged ? Math.ceil(seq.length / PAGE_SIZE) : 1;
    page = Math.max(0, Math.min(page, pages - 1));
    seq.forEach((rec, i) => { rec.el.hidden = paged && Math.floor(i / PAGE_SIZE) !== page; });
    pager.hidden = !paged;
    pageLabel.textContent = `${page + 1} / ${pages}`;
    prevPage.disabled = page === 0;
    nextPage.disabled = page === pages - 1;
    layoutGrid();
    renderSpeaking();
  }

  function layoutGrid() {
    if (el.dataset.layout !== 'grid') { tilesEl.style.gridTemplateColumns = ''; tilesEl.style.gridAutoRows = ''; return; }
    const n = [...tilesEl.children].filter((c) => !c.hidden).length || 1;
    const W = tilesEl.clientWidth - GAP * 2;
    const H = tilesEl.clientHeight - GAP * 2;
    if (W <= 0 || H <= 0) return;
    let best = { cols: 1, w: 0 };
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      let w = (W - GAP * (cols - 1)) / cols;
      let th = w / TILE_ASPECT;
      if (th * rows + GAP * (rows - 1) > H) { th = (H - GAP * (rows - 1)) / rows; w = th * TILE_ASPECT; }
      if (w > best.w) best = { cols, w };
    }
    const w = Math.max(140, Math.floor(best.w));
    tilesEl.style.gridTemplateColumns = `repeat(${best.cols}, ${w}px)`;
    tilesEl.style.gridAutoRows = `${Math.floor(w / TILE_ASPECT)}px`;
  }
  const ro = new ResizeObserver(() => layoutGrid());
  ro.observe(tilesEl);

  // ---------------------------------------------------------------- subscribe settings
  // Each remote camera tile asks the SFU for the size it really renders (device pixels), so a
  // small tile gets the small simulcast layer; a tile out of view, or a hidden page, is paused.
  let settingsTimer = null;
  function findTrackId(media) {
    for (const [tid, m] of session.remoteMedia) if (m === media) return tid;
    return null;
  }
  function sendSubscribeSettings() {
    settingsTimer = null;
    if (destroyed) return;
    const dpr = window.devicePixelRatio || 1;
    for (const rec of tiles.values()) {
      if (rec.key === 'self' || !rec.trackId) continue;
      const w = Math.round(rec.el.clientWidth * dpr);
      const hgt = Math.round(rec.el.clientHeight * dpr);
      const paused = document.hidden || !rec.visible || w === 0 || hgt === 0;
      session.setSubscribeSettings(rec.trackId, { maxWidth: w, maxHeight: hgt, paused });
    }
  }
  function scheduleSubscribeSettings() {
    if (settingsTimer === null) settingsTimer = setTimeout(sendSubscribeSettings, 250);
  }
  const sizeObserver = new ResizeObserver(() => scheduleSubscribeSettings());
  const visibility = new IntersectionObserver((entries) => {
    for (const e of entries) {
      for (const rec of tiles.values()) if (rec.el === e.target) rec.visible = e.isIntersecting;
    }
    scheduleSubscribeSettings();
  });
  document.addEventListener('visibilitychange', scheduleSubscribeSettings);

  // ---------------------------------------------------------------- stage
  function currentShare() {
    let remote = null;
    for (const [tid, m] of session.remoteMedia) {
      if (m.source !== 'screen' || m.kind !== 'video') continue;
      const p = session.participants.get(m.participant_id);
      if (!p) continue;
      const info = p.tracks.get(tid);
      if (info && info.muted) continue;
      remote = { key: tid, track: m.track, participantId: m.participant_id, name: p.display_name, local: false };
    }
    if (remote) return remote;
    const lt = session.local.get('screen');
    if (lt && !lt.stopping) return { key: 'local', track: lt.track, participantId: session.participantId, name: session.displayName, local: true };
    return null;
  }

  function renderStage() {
    const share = currentShare();
    const key = share ? `${share.key}:${share.track.id}` : null;
    el.dataset.layout = share ? 'stage' : 'grid';
    if (key === stageKey) return;
    stageKey = key;
    stageHost.replaceChildren();
    if (!share) return;
    const video = h('video', { autoplay: true, playsinline: true, muted: true });
    video.srcObject = new MediaStream([share.track]);
    video.play().catch(() => {});
    const label = share.local ? 'You are presenting' : `${share.name} is presenting`;
    const stage = h('div', { class: `stage ${share.local ? 'stage-local' : ''}`, testid: 'stage', dataset: { participantId: share.participantId || '' } },
      video,
      h('div', { class: 'stage-label' }, icon('screen', 16), h('span', null, label)),
      share.local ? h('button', { class: 'btn btn-primary stage-stop', type: 'button', onclick: () => session.stopScreenShare() }, 'Stop presenting') : null);
    stageHost.appendChild(stage);
  }

  // ---------------------------------------------------------------- audio
  function playAudio(a) {
    const p = a.play();
    if (p && p.catch) {
      p.catch((e) => {
        if (e && e.name === 'NotAllowedError' && !destroyed) { audioBlocked = true; enableAudio.hidden = false; }
      });
    }
  }
  function renderAudio() {
    const live = new Set();
    for (const [tid, m] of session.remoteMedia) {
      if (m.kind !== 'audio') continue;
      live.add(tid);
      let a = audioEls.get(tid);
      if (a && a.srcObject && a.srcObject.getAudioTracks()[0] !== m.track) { a.remove(); audioEls.delete(tid); a = null; }
      if (!a) {
        a = h('audio', { autoplay: true, testid: 'remote-audio', dataset: { participantId: m.participant_id, trackId: tid, source: m.source } });
        a.srcObject = new MediaStream([m.track]);
        audioSink.appendChild(a);
        audioEls.set(tid, a);
        playAudio(a);
      }
    }
    for (const [tid, a] of audioEls) {
      if (!live.has(tid)) { a.srcObject = null; a.remove(); audioEls.delete(tid); }
    }
    enableAudio.hidden = !audioBlocked || audioEls.size === 0;
  }

  // ---------------------------------------------------------------- side panel
  const chatList = h('div', { class: 'chat-list', testid: 'chat-list', role: 'log', 'aria-live': 'polite' });
  const chatEmpty = h('div', { class: 'chat-empty' }, 'Messages can be seen by people in the call and are deleted when the call ends.');
  const chatInput = h('textarea', { class: 'chat-input', testid: 'chat-input', rows: '1', maxlength: '4000', placeholder: 'Send a message', 'aria-label': 'Send a message to everyone' });
  const chatSend = h('button', { class: 'icon-btn chat-send', testid: 'chat-send', type: 'submit', title: 'Send message', 'aria-label': 'Send message', disabled: true }, icon('send', 20));
  const chatForm = h('form', { class: 'chat-form' }, chatInput, chatSend);
  const peopleList = h('ul', { class: 'people-list', testid: 'people-list' });
  const hostPanel = h('div', { class: 'host-panel', testid: 'host-panel' });
  const panelTitle = h('h2', null);
  const panelBody = h('div', { class: 'panel-body' });
  panelEl.append(
    h('div', { class: 'panel-head' }, panelTitle,
      h('button', { class: 'icon-btn', type: 'button', testid: 'panel-close', title: 'Close', 'aria-label': 'Close', onclick: () => setPanel(null) }, icon('close', 20))),
    panelBody);

  const sendChat = async () => {
    const text = chatInput.value.trim();
    if (!text) return;
    chatInput.value = '';
    chatSend.disabled = true;
    autoGrow();
    try {
      await session.sendChat(text);
    } catch (e) {
      chatInput.value = text;
      chatSend.disabled = false;
      toast(`Message not sent: ${friendlyError(e)}`, 'error');
    }
  };
  const autoGrow = () => { chatInput.style.height = 'auto'; chatInput.style.height = `${Math.min(chatInput.scrollHeight, 120)}px`; };
  chatForm.addEventListener('submit', (ev) => { ev.preventDefault(); sendChat(); });
  chatInput.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); sendChat(); }
  });
  chatInput.addEventListener('input', () => { chatSend.disabled = !chatInput.value.trim(); autoGrow(); });

  function setPanel(which) {
    panel = which;
    el.classList.toggle('panel-open', !!which);
    panelEl.dataset.panel = which || '';
    if (which === 'chat') {
      unread = 0;
      panelTitle.textContent = 'In-call messages';
      panelBody.replaceChildren(chatList, chatForm);
      chatList.scrollTop = chatList.scrollHeight;
      setTimeout(() => chatInput.focus(), 0);
    } else if (which === 'people') {
      panelTitle.textContent = 'People';
      panelBody.replaceChildren(
        h('button', { class: 'btn btn-outline copy-info', type: 'button', onclick: copyLink }, icon('link', 18), h('span', null, 'Copy joining info')),
        hostPanel,
        h('div', { class: 'people-caption' }, 'In the meeting'),
        peopleList);
      renderPeople();
    } else {
      panelBody.replaceChildren();
    }
    renderControls();
    requestAnimationFrame(layoutGrid);
  }

  async function copyLink() {
    if (await copyText(meetingLink(session.meetingId))) toast('Meeting link copied', 'success', 2500);
    else toast("Couldn't copy the link", 'error');
  }

  /** A host action from the people panel; a refusal (not_host, ...) becomes a toast. */
  async function moderate(action, body, done) {
    try {
      await session.moderate(action, body);
      if (done) toast(done, 'success', 2500);
    } catch (e) {
      toast(friendlyError(e), 'error');
    }
  }

  function renderHostPanel() {
    const rules = session.rules;
    if (!rules || !rules.host) { hostPanel.replaceChildren(); hostPanel.hidden = true; return; }
    hostPanel.hidden = false;
    const toggle = (testid, label, on, field) => h('button', {
      class: `btn btn-outline host-toggle ${on ? 'on' : ''}`, type: 'button', testid, dataset: { state: on ? 'on' : 'off' },
      'aria-pressed': String(on), onclick: () => moderate('rules', { [field]: !on }),
    }, `${label}: ${on ? 'on' : 'off'}`);
    const waitingRows = [...session.waiting.values()].map((w) => h('li', { class: 'person', testid: 'waiting-person', dataset: { participantId: w.participant_id, name: w.display_name } },
      h('span', { class: 'person-name' }, w.display_name),
      h('button', { class: 'btn btn-primary btn-small', type: 'button', testid: 'admit-button', onclick: () => moderate(`waiting/${encodeURIComponent(w.participant_id)}/admit`) }, 'Admit'),
      h('button', { class: 'btn btn-outline btn-small', type: 'button', testid: 'deny-button', onclick: () => moderate(`waiting/${encodeURIComponent(w.participant_id)}/deny`) }, 'Deny')));
    hostPanel.replaceChildren(
      h('div', { class: 'people-caption' }, 'Host controls'),
      h('div', { class: 'host-toggles' },
        toggle('lock-toggle', 'Lock meeting', rules.locked, 'locked'),
        toggle('waiting-room-toggle', 'Waiting room', rules.waiting_room, 'waiting_room'),
        h('button', { class: 'btn btn-danger', type: 'button', testid: 'end-for-all-button',
          onclick: () => { if (confirm('End the meeting for everyone?')) moderate('end'); } }, 'End for all')),
      waitingRows.length ? h('div', { class: 'people-caption' }, 'Waiting to join') : null,
      waitingRows.length ? h('ul', { class: 'people-list', testid: 'waiting-list' }, ...waitingRows) : null);
  }

  function hostMenu(r) {
    if (r.you || !session.rules || !session.rules.host) return null;
    const pid = encodeURIComponent(r.id);
    return h('span', { class: 'person-actions', testid: 'person-menu' },
      h('button', { class: 'btn btn-outline btn-small', type: 'button', testid: 'person-mute', disabled: r.micOff,
        onclick: () => moderate(`participants/${pid}/mute`, { kind: 'audio' }, `Muted ${r.name}`) }, 'Mute'),
      h('button', { class: 'btn btn-outline btn-small', type: 'button', testid: 'person-make-host',
        onclick: () => moderate('host', { participant_id: r.id }, `${r.name} is the host now`) }, 'Make host'),
      h('button', { class: 'btn btn-danger btn-small', type: 'button', testid: 'person-remove',
        onclick: () => moderate(`participants/${pid}/remove`, {}, `Removed ${r.name}`) }, 'Remove'));
  }

  function renderPeople() {
    if (panel !== 'people') return;
    renderHostPanel();
    const rows = [{ id: session.participantId || 'self', name: session.displayName, you: true, micOff: !session.isLocalOn('microphone'), camOff: !session.isLocalOn('camera') }];
    for (const p of session.participants.values()) {
      const mic = remoteTrackOf(p, 'microphone');
      const cam = remoteTrackOf(p, 'camera');
      rows.push({ id: p.participant_id, name: p.display_name, micOff: !mic || mic.info.muted, camOff: !cam || cam.info.muted });
    }
    peopleList.replaceChildren(...rows.map((r) => h('li', { class: 'person', testid: 'person', dataset: { participantId: r.id, name: r.name } },
      h('span', { class: 'avatar-circle small', style: { background: colorFor(r.id) } }, initials(r.name)),
      h('span', { class: 'person-name' }, r.name, r.you ? h('span', { class: 'muted-text' }, ' (You)') : null),
      h('span', { class: `person-icon ${r.camOff ? 'off' : ''}` }, icon(r.camOff ? 'camOff' : 'cam', 18)),
      h('span', { class: `person-icon ${r.micOff ? 'off' : ''}` }, icon(r.micOff ? 'micOff' : 'mic', 18)),
      hostMenu(r))));
  }

  let lastChatSender = null;
  let lastChatAt = 0;
  function addChatMessage(m) {
    if (chatEmpty.isConnected) chatEmpty.remove();
    const own = m.participant_id === session.participantId;
    const at = m.sent_at ? Date.parse(m.sent_at) : Date.now();
    const continued = lastChatSender === m.participant_id && at - lastChatAt < 120_000;
    lastChatSender = m.participant_id;
    lastChatAt = at;
    const nearBottom = chatList.scrollHeight - chatList.scrollTop - chatList.clientHeight < 60;
    const name = own ? 'You' : (m.display_name || 'Guest');
    chatList.appendChild(h('div', {
      class: `chat-msg ${own ? 'own' : ''} ${continued ? 'continued' : ''}`, testid: 'chat-message',
      dataset: { sender: m.display_name || '', senderId: m.participant_id || '', messageId: m.message_id || '' },
    },
    h('div', { class: 'chat-meta' }, h('span', { class: 'chat-sender' }, name), h('span', { class: 'chat-time' }, formatTime(m.sent_at))),
    h('div', { class: 'chat-text' }, m.text)));
    if (nearBottom || own) chatList.scrollTop = chatList.scrollHeight;
  }

  // ---------------------------------------------------------------- banner, ready card
  function renderBanner(text, action) {
    if (!text) { banner.hidden = true; return; }
    banner.hidden = false;
    banner.replaceChildren(icon('warning', 18), h('span', null, text),
      action ? h('button', { class: 'btn btn-small', type: 'button', testid: 'banner-action', onclick: action.run }, action.label) : null);
  }
  const pcState = { publisher: 'new', subscriber: 'new' };
  function renderConnection() {
    if (session.state === 'reconnecting' || session.migrating) {
      renderBanner('Reconnecting…');
      return;
    }
    if (session.state === 'disconnected') {
      renderBanner(session.endReason === 'heartbeat' ? 'The server stopped hearing from you and removed you from the call.'
        : 'Lost connection to the meeting server.', { label: 'Rejoin', run: onRejoin });
      return;
    }
    const states = Object.values(pcState);
    if (states.includes('failed')) renderBanner('Media connection failed. Others may not see or hear you.', { label: 'Rejoin', run: onRejoin });
    else if (states.includes('disconnected')) renderBanner('Reconnecting media…');
    else renderBanner(null);
  }

  if (sessionStorage.getItem('convene.created') === session.meetingId) {
    sessionStorage.removeItem('convene.created');
    const link = meetingLink(session.meetingId);
    readyCard.hidden = false;
    readyCard.append(
      h('div', { class: 'ready-head' }, h('h3', null, "Your meeting's ready"),
        h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close', onclick: () => { readyCard.hidden = true; } }, icon('close', 20))),
      h('p', null, 'Share this joining info with others you want in the meeting'),
      h('div', { class: 'link-box' }, h('span', { class: 'link-text' }, link),
        h('button', { class: 'icon-btn', type: 'button', title: 'Copy joining info', 'aria-label': 'Copy joining info', onclick: copyLink }, icon('copy', 18))));
  }

  // ---------------------------------------------------------------- speaking indicator
  const levelTimer = setInterval(async () => {
    for (const [key, rec] of tiles) {
      let level = 0;
      if (key === 'self') {
        if (session.isLocalOn('microphone') && session.publisherPc) {
          try {
            const stats = await session.publisherPc.getStats(session.local.get('microphone').track);
            stats.forEach((s) => { if (s.type === 'media-source' && s.kind === 'audio' && s.audioLevel) level = s.audioLevel; });
          } catch { /* closed */ }
        }
        rec.el.classList.toggle('speaking', level > 0.04);
      }
    }
  }, 400);
  // Others: the SFU's active-speakers list (the dominant speaker first), as it arrives.
  function renderSpeaking() {
    const speakers = session.activeSpeakers || [];
    for (const [key, rec] of tiles) {
      if (key === 'self') continue;
      const on = speakers.includes(key);
      rec.el.classList.toggle('speaking', on);
      rec.el.dataset.speaking = on ? (speakers[0] === key ? 'dominant' : 'yes') : 'no';
    }
  }

  // ---------------------------------------------------------------- wiring
  function renderAll() {
    renderStage();
    renderTiles();
    renderAudio();
    renderControls();
    renderPeople();
    renderConnection();
  }

  const onChange = (ev) => {
    const d = ev.detail;
    if (destroyed) return;
    switch (d.what) {
      case 'chat':
        if (d.history) break; // already rendered from session.chat at mount
        addChatMessage(d.message);
        if (!d.own && panel !== 'chat') {
          unread += 1;
          toast(`${d.message.display_name || 'Someone'}: ${String(d.message.text).slice(0, 80)}`, 'info', 3000);
        }
        renderControls();
        break;
      case 'participants':
        if (d.joined && d.joined.display_name) toast(`${d.joined.display_name} joined`, 'info', 2500);
        if (d.left && d.left.display_name) toast(`${d.left.display_name} left`, 'info', 2500);
        if (d.joined) readyCard.hidden = true;
        renderAll();
        break;
      case 'error':
        toast(d.code ? friendlyError(d) : d.message, 'error');
        break;
      case 'notice':
        toast(d.message, 'info', 4000);
        renderAll();
        break;
      case 'waiting':
        if (d.waiting && d.waiting.display_name) toast(`${d.waiting.display_name} is waiting to join`, 'info', 4000);
        renderAll();
        break;
      case 'connection':
        pcState[d.pc] = d.state;
        renderConnection();
        break;
      case 'speakers':
        renderSpeaking();
        break;
      default:
        renderAll();
    }
  };
  session.addEventListener('change', onChange);

  const clockTimer = setInterval(() => { clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }, 10_000);
  clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  chatList.appendChild(chatEmpty);
  for (const m of session.chat) addChatMessage(m);
  renderAll();

  return {
    el,
    focus() {},
    openChat: () => setPanel('chat'),
    destroy() {
      destroyed = true;
      session.removeEventListener('change', onChange);
      document.removeEventListener('keydown', onKey);
      clearInterval(levelTimer);
      clearInterval(clockTimer);
      ro.disconnect();
      sizeObserver.disconnect();
      visibility.disconnect();
      document.removeEventListener('visibilitychange', scheduleSubscribeSettings);
      if (settingsTimer !== null) clearTimeout(settingsTimer);
      for (const a of audioEls.values()) { a.srcObject = null; a.remove(); }
      for (const rec of tiles.values()) rec.video.srcObject = null;
    },
  };
}
