// The in-meeting screen: tile grid (or stage + strip while someone presents), control bar,
// people/chat side panel, remote audio elements, connection banner.
import { h, toast, initials, colorFor, formatTime, copyText, meetingLink } from '/js/dom.js';
import { icon } from '/js/icons.js';
import { friendlyError } from '/js/api.js';

const TILE_ASPECT = 16 / 9;
const GAP = 8;
// Smallest grid tile (CSS px) before a face stops being one; the page size follows from it.
const MIN_TILE_W = 200;
// 5 × 5 at most, where Jitsi Meet's and LiveKit's grids stop too: more decoders than that cost
// more than a page turn.
const MAX_PAGE = 25;
const PAGER_H = 40;
// subscribe-settings priority of the large tile (pinned or speaking): served first from a
// tight downlink (ADR 0021's budget split).
const FEATURED_PRIORITY = 10;
const QUALITY_MS = 2000;

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
  // The grid shows as many tiles as the window holds at a useful size (page size by window
  // size, as Meet and Jitsi do); more are paged. Tiles of other pages are hidden, so the
  // visibility observer pauses their video at the SFU (subscribe-settings paused).
  let page = 0;
  let pageSize = MAX_PAGE;
  const pageLabel = h('span', { class: 'pager-label', testid: 'pager-label' });
  const prevPage = h('button', { class: 'icon-btn', testid: 'page-prev', type: 'button', 'aria-label': 'Previous page',
    onclick: () => { page -= 1; renderTiles(); } }, '‹');
  const nextPage = h('button', { class: 'icon-btn', testid: 'page-next', type: 'button', 'aria-label': 'Next page',
    onclick: () => { page += 1; renderTiles(); } }, '›');
  const pager = h('div', { class: 'pager', testid: 'pager', hidden: true }, prevPage, pageLabel, nextPage);
  // Speaker view: one large tile (the pinned person, else whoever spoke last) over a strip.
  let view = storedView();
  let pinnedId = null;
  let lastDominant = null;
  const lastSpoke = new Map(); // participant_id -> Date.now() when last listed as speaking
  let gridOrder = []; // remote participant ids in grid order: join order, speakers moved into view
  const spotlightHost = h('section', { class: 'spotlight-host', testid: 'spotlight' });
  const stageHost = h('section', { class: 'stage-host' });
  const panelEl = h('aside', { class: 'side-panel', testid: 'side-panel', 'aria-label': 'Side panel' });
  const audioSink = h('div', { class: 'audio-sink', 'aria-hidden': 'true' });
  const enableAudio = h('button', { class: 'enable-audio', testid: 'enable-audio', type: 'button', hidden: true },
    icon('volume', 20), h('span', null, 'Click to enable audio'));
  const readyCard = h('div', { class: 'ready-card', hidden: true });

  const mainEl = h('main', { class: 'meeting-main' }, stageHost, spotlightHost, tilesEl, pager, enableAudio, readyCard);

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

  const viewBtn = h('button', { class: 'ctrl ctrl-flat', testid: 'view-toggle', type: 'button' });
  viewBtn.addEventListener('click', () => setView(view === 'speaker' ? 'grid' : 'speaker'));

  const controls = h('footer', { class: 'controls' },
    h('div', { class: 'controls-left' }, clock, h('span', { class: 'sep' }, '|'), code),
    h('div', { class: 'controls-center' }, micBtn, camBtn, screenBtn, leaveBtn),
    h('div', { class: 'controls-right' }, viewBtn, peopleBtn, chatBtn));

  const el = h('div', { class: 'page meeting', testid: 'meeting', dataset: { layout: 'grid' } },
    banner,
    h('div', { class: 'meeting-body' },
      mainEl,
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
    viewBtn.replaceChildren(icon(view === 'speaker' ? 'gridView' : 'speakerView'));
    viewBtn.dataset.state = view;
    viewBtn.title = view === 'speaker' ? 'Switch to grid view' : 'Switch to speaker view';
    viewBtn.setAttribute('aria-label', viewBtn.title);
  }

  // ---------------------------------------------------------------- tiles
  function makeTile(key, isSelf) {
    const video = h('video', { autoplay: true, playsinline: true, muted: true, class: isSelf ? 'mirror' : '' });
    const avatar = h('div', { class: 'tile-avatar' });
    const name = h('span', { class: 'tile-name-text' });
    const mic = h('span', { class: 'tile-mic', testid: 'mic-muted-indicator', title: 'Microphone off' }, icon('micOff', 16));
    const quality = h('span', { class: 'tile-quality', testid: 'connection-quality', dataset: { quality: 'unknown' }, role: 'img' },
      h('i'), h('i'), h('i'));
    const pin = isSelf ? null : h('button', { class: 'tile-pin', testid: 'pin-button', type: 'button',
      onclick: (ev) => { ev.stopPropagation(); togglePin(key); } }, icon('pin', 18));
    const el = h('div', { class: 'tile', testid: isSelf ? 'self-tile' : 'tile' },
      video, avatar, h('div', { class: 'tile-top' }, quality, pin), h('div', { class: 'tile-label' }, mic, name));
    if (!isSelf) {
      el.dataset.participantId = key;
      el.addEventListener('dblclick', () => togglePin(key));
    }
    const rec = { key, el, video, avatar, name, mic, quality, pin, track: null, nameText: null, trackId: null, visible: true };
    setQuality(rec, 'unknown', '');
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
    if (rec.pin) {
      const pinned = rec.key === pinnedId;
      rec.el.dataset.pinned = String(pinned);
      rec.pin.classList.toggle('on', pinned);
      rec.pin.title = pinned ? `Unpin ${name}` : `Pin ${name}`;
      rec.pin.setAttribute('aria-label', rec.pin.title);
      rec.pin.setAttribute('aria-pressed', String(pinned));
    }
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

  function storedView() {
    try { return localStorage.getItem('convene.view') === 'speaker' ? 'speaker' : 'grid'; } catch { return 'grid'; }
  }
  function setView(v) {
    view = v;
    try { localStorage.setItem('convene.view', v); } catch { /* private mode */ }
    renderTiles();
    renderControls();
  }
  /** One pin at a time, as in Meet: the pinned person gets the large tile and the SFU keeps their video. */
  function togglePin(id) {
    pinnedId = pinnedId === id ? null : id;
    if (pinnedId) view = 'speaker';
    renderTiles();
    renderControls();
    scheduleSubscribeSettings();
  }

  /** Grid order: join order, the pinned person first; speakers are moved into view (promoteSpeakers). */
  function syncOrder() {
    const present = [...session.participants.values()].sort((a, b) => a.joined_at - b.joined_at).map((p) => p.participant_id);
    const known = new Set(gridOrder);
    gridOrder = gridOrder.filter((id) => session.participants.has(id));
    for (const id of present) if (!known.has(id)) gridOrder.push(id);
    if (pinnedId && !session.participants.has(pinnedId)) pinnedId = null;
    return pinnedId ? [pinnedId, ...gridOrder.filter((id) => id !== pinnedId)] : gridOrder.slice();
  }

  /** How many tiles one grid page holds in the window as it is now (self included). */
  function gridCapacity() {
    const W = mainEl.clientWidth - GAP * 2;
    const H = mainEl.clientHeight - GAP * 2 - PAGER_H;
    if (W <= 0 || H <= 0) return MAX_PAGE;
    const cols = Math.max(1, Math.floor((W + GAP) / (MIN_TILE_W + GAP)));
    const rows = Math.max(1, Math.floor((H + GAP) / (MIN_TILE_W / TILE_ASPECT + GAP)));
    return Math.max(2, Math.min(MAX_PAGE, cols * rows));
  }

  /** The large tile of speaker view: pinned, else the last remote dominant speaker, else the first other. */
  function featuredKey(order) {
    if (pinnedId) return pinnedId;
    if (lastDominant && session.participants.has(lastDominant)) return lastDominant;
    return order.length ? order[0] : 'self';
  }

  /** Remembers who spoke when, and the last remote dominant speaker (speaker view's default). */
  function noteSpeakers() {
    const now = Date.now();
    const speakers = (session.activeSpeakers || []).filter((id) => session.participants.has(id));
    for (const id of speakers) lastSpoke.set(id, now);
    if (speakers.length && speakers[0] !== session.participantId) lastDominant = speakers[0];
  }

  /**
   * Someone who speaks while their tile is on another page than the one shown swaps places with
   * the shown tile that spoke longest ago, so the page you look at shows who talks (Meet does
   * the same); the pinned tile stays. Runs on every render, so it also holds after the page
   * size changed.
   */
  function promoteSpeakers(order, per) {
    const speakers = (session.activeSpeakers || []).filter((id) => order.includes(id));
    const start = page * per;
    const end = Math.min(order.length, start + per);
    for (const id of speakers) {
      const at = order.indexOf(id);
      if (at >= start && at < end) continue;
      let victim = -1;
      for (let i = start; i < end; i++) {
        if (order[i] === pinnedId || speakers.includes(order[i])) continue;
        if (victim < 0 || (lastSpoke.get(order[i]) || 0) <= (lastSpoke.get(order[victim]) || 0)) victim = i;
      }
      if (victim < 0) break;
      [order[at], order[victim]] = [order[victim], order[at]];
    }
    gridOrder = order.slice();
    return order;
  }

  function renderTiles() {
    const wanted = new Set(['self']);
    const self = tiles.get('self') || makeTile('self', true);
    const cam = session.local.get('camera');
    updateTile(self, {
      name: session.displayName, isSelf: true, participantId: session.participantId || 'self',
      videoTrack: cam ? cam.track : null, camOff: !session.isLocalOn('camera'), micMuted: !session.isLocalOn('microphone'),
    });
    const ids = syncOrder();
    const remotes = [];
    for (const id of ids) {
      const p = session.participants.get(id);
      wanted.add(id);
      const rec = tiles.get(id) || makeTile(id, false);
      const camT = remoteTrackOf(p, 'camera');
      const micT = remoteTrackOf(p, 'microphone');
      updateTile(rec, {
        name: p.display_name, participantId: id,
        videoTrack: camT && camT.media ? camT.media.track : null,
        camOff: !camT || !camT.media || camT.info.muted || camT.media.track.muted,
        micMuted: !micT || micT.info.muted,
      });
      const camId = camT && camT.media ? (camT.info.track_id || findTrackId(camT.media)) : null;
      if (rec.trackId !== camId) {
        rec.trackId = camId;
        scheduleSubscribeSettings();
      }
      remotes.push(rec);
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

    const share = stageKey !== null;
    const layout = share ? 'stage' : view === 'speaker' && remotes.length > 0 ? 'speaker' : 'grid';
    el.dataset.layout = layout;
    el.dataset.view = view;
    let featured = null;
    if (layout === 'speaker') featured = tiles.get(featuredKey(ids)) || null;
    for (const rec of tiles.values()) {
      const on = rec === featured;
      rec.el.classList.toggle('featured', on);
      rec.el.dataset.featured = String(on);
    }
    if (featured && featured.el.parentNode !== spotlightHost) spotlightHost.replaceChildren(featured.el);
    if (!featured && spotlightHost.firstChild) spotlightHost.replaceChildren();

    let seq;
    let pages = 1;
    pageSize = gridCapacity();
    if (layout === 'grid') {
      let all = [...remotes];
      if (all.length + 1 > pageSize) {
        const per = pageSize - 1;
        page = Math.max(0, Math.min(page, Math.ceil(all.length / per) - 1));
        all = promoteSpeakers(ids.slice(), per).map((id) => tiles.get(id));
      }
      if (all.length + 1 <= pageSize) {
        // Self last in a grid of more than two (as Meet does), first with one other.
        seq = all.length > 1 ? [...all, self] : [self, ...all];
        seq.forEach((rec) => { rec.el.hidden = false; });
      } else {
        // Paged: your own tile stays on every page, after that page's others.
        const per = pageSize - 1;
        pages = Math.ceil(all.length / per);
        page = Math.max(0, Math.min(page, pages - 1));
        const shown = all.slice(page * per, (page + 1) * per);
        const rest = all.filter((r) => !shown.includes(r));
        seq = [...shown, self, ...rest];
        seq.forEach((rec) => { rec.el.hidden = rec !== self && !shown.includes(rec); });
      }
    } else {
      // A strip beside the stage or the large tile: self first, hidden ones scroll into view.
      seq = [self, ...remotes].filter((r) => r !== featured);
      seq.forEach((rec) => { rec.el.hidden = false; });
    }
    if (featured) featured.el.hidden = false;
    seq.forEach((rec, i) => {
      if (tilesEl.children[i] !== rec.el) tilesEl.insertBefore(rec.el, tilesEl.children[i] || null);
    });
    tilesEl.dataset.count = String(remotes.length + 1);
    tilesEl.dataset.pageSize = String(pageSize);
    if (layout !== 'grid') page = 0;
    pager.hidden = pages <= 1;
    pageLabel.textContent = `${page + 1} / ${pages}`;
    prevPage.disabled = page === 0;
    nextPage.disabled = page === pages - 1;
    layoutGrid();
    renderSpeaking();
    scheduleSubscribeSettings();
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
  // A resized window (or an opened side panel) changes how many tiles a page holds.
  const mainRo = new ResizeObserver(() => { if (gridCapacity() !== pageSize) renderTiles(); });
  mainRo.observe(mainEl);

  // ---------------------------------------------------------------- subscribe settings
  // Each remote camera tile asks the SFU for the size it really renders (device pixels), so a
  // small tile gets the small simulcast layer; a tile out of view, or a hidden page, is paused.
  // The large tile and the pinned one come first when the downlink is short (priority).
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
      const paused = document.hidden || rec.el.hidden || !rec.visible || w === 0 || hgt === 0;
      const pinned = rec.key === pinnedId;
      const priority = pinned || rec.el.classList.contains('featured') ? FEATURED_PRIORITY : 1;
      session.setSubscribeSettings(rec.trackId, { maxWidth: w, maxHeight: hgt, paused, priority, pinned });
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

  // ---------------------------------------------------------------- connection quality
  // Per tile, from the stats both ends already exchange (RTCP receiver and sender reports, see
  // the RTCP section of docs/architecture.md): for another person, the loss and jitter of what
  // we receive from them over the last interval; for our own tile, what the SFU reports of our
  // uplink (loss, round trip) and whether the encoder is held back by bandwidth.
  const qualityPrev = new Map(); // inbound-rtp stats id -> {lost, recv}
  function grade(loss, jitterMs, rttMs) {
    if (loss < 0.02 && jitterMs < 50 && rttMs < 300) return 'good';
    if (loss < 0.1 && jitterMs < 150 && rttMs < 700) return 'fair';
    return 'poor';
  }
  function setQuality(rec, level, detail) {
    if (rec.quality.dataset.quality === level && rec.quality.title.endsWith(detail)) return;
    rec.quality.dataset.quality = level;
    const words = { good: 'Good connection', fair: 'Unstable connection', poor: 'Poor connection', unknown: 'Connection: no data' };
    rec.quality.title = detail ? `${words[level]} — ${detail}` : words[level];
    rec.quality.setAttribute('aria-label', rec.quality.title);
  }
  let qualityBusy = false;
  async function sampleQuality() {
    if (qualityBusy || destroyed) return;
    qualityBusy = true;
    try {
      const perPerson = new Map(); // participant_id -> {lost, recv, jitter}
      if (session.subscriberPc) {
        const midToPerson = new Map();
        for (const m of session.remoteMedia.values()) midToPerson.set(String(m.mid), m.participant_id);
        const stats = await session.subscriberPc.getStats();
        stats.forEach((s) => {
          if (s.type !== 'inbound-rtp') return;
          const pid = midToPerson.get(String(s.mid));
          if (!pid) return;
          const now = { lost: Math.max(0, s.packetsLost || 0), recv: s.packetsReceived || 0 };
          const before = qualityPrev.get(s.id) || now;
          qualityPrev.set(s.id, now);
          const a = perPerson.get(pid) || { lost: 0, recv: 0, jitter: 0 };
          a.lost += Math.max(0, now.lost - before.lost);
          a.recv += Math.max(0, now.recv - before.recv);
          a.jitter = Math.max(a.jitter, s.jitter || 0);
          perPerson.set(pid, a);
        });
      }
      for (const [key, rec] of tiles) {
        if (key === 'self') continue;
        const a = perPerson.get(key);
        // Nothing received (paused, muted, silent): no verdict rather than a wrong one.
        if (!a || a.recv < 5) { setQuality(rec, 'unknown', ''); continue; }
        const loss = a.lost / (a.lost + a.recv);
        setQuality(rec, grade(loss, a.jitter * 1000, 0), `${(loss * 100).toFixed(1)} % lost, jitter ${Math.round(a.jitter * 1000)} ms`);
      }
      const self = tiles.get('self');
      if (self && session.publisherPc) {
        let loss = null; let rtt = 0; let limited = false;
        const stats = await session.publisherPc.getStats();
        stats.forEach((s) => {
          if (s.type === 'remote-inbound-rtp') {
            loss = Math.max(loss || 0, s.fractionLost || 0);
            rtt = Math.max(rtt, s.roundTripTime || 0);
          }
          if (s.type === 'outbound-rtp' && s.kind === 'video' && s.qualityLimitationReason === 'bandwidth') limited = true;
        });
        if (loss === null) setQuality(self, 'unknown', '');
        else {
          const level = grade(loss, 0, rtt * 1000);
          setQuality(self, limited && level === 'good' ? 'fair' : level,
            `${(loss * 100).toFixed(1)} % lost, round trip ${Math.round(rtt * 1000)} ms${limited ? ', limited by bandwidth' : ''}`);
        }
      }
    } catch { /* a connection closed meanwhile */ } finally {
      qualityBusy = false;
    }
  }
  const qualityTimer = setInterval(sampleQuality, QUALITY_MS);

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
        noteSpeakers();
        renderTiles();
        break;
      case 'state':
        // Back from a resume (or joined): the session forgot what it sent; say it all again.
        if (session.state === 'joined') scheduleSubscribeSettings();
        renderAll();
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
      clearInterval(qualityTimer);
      ro.disconnect();
      mainRo.disconnect();
      sizeObserver.disconnect();
      visibility.disconnect();
      document.removeEventListener('visibilitychange', scheduleSubscribeSettings);
      if (settingsTimer !== null) clearTimeout(settingsTimer);
      for (const a of audioEls.values()) { a.srcObject = null; a.remove(); }
      for (const rec of tiles.values()) rec.video.srcObject = null;
    },
  };
}
