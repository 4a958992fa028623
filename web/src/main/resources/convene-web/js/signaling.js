// The signaling WebSocket (docs/signaling.md, "The socket"): v:1 on every frame,
// request_id on requests, ping every 5 s, replies matched to requests by request_id.

const PING_MS = 5000;
const REQUEST_TIMEOUT_MS = 15000;

export class SignalingError extends Error {
  constructor(code, message, frame) {
    super(message || code);
    this.name = 'SignalingError';
    this.code = code;
    this.frame = frame || null;
  }
}

export class Signaling {
  /** @param {string} url full ws(s) URL including ?token= */
  constructor(url) {
    this.url = url;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map();
    this.onmessage = () => {};
    this.onclose = () => {};
    this.onframe = () => {}; // (direction, frame) for the debug log
    this.pingTimer = null;
    this.closedByUs = false;
  }

  get open() { return !!this.ws && this.ws.readyState === WebSocket.OPEN; }

  connect() {
    return new Promise((resolve, reject) => {
      let opened = false;
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => {
        opened = true;
        this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
        resolve();
      };
      ws.onmessage = (ev) => {
        let frame;
        try { frame = JSON.parse(ev.data); } catch { return; }
        if (!frame || typeof frame !== 'object') return;
        this.onframe('in', frame);
        const rid = frame.request_id;
        if (rid != null && this.pending.has(String(rid))) {
          const p = this.pending.get(String(rid));
          this.pending.delete(String(rid));
          clearTimeout(p.timer);
          if (frame.type === 'error') p.reject(new SignalingError(frame.code, frame.message, frame));
          else p.resolve(frame);
          if (frame.type === 'error') return; // the requester handles its own error
        }
        try { this.onmessage(frame); } catch (e) { console.warn('convene: handler failed', e); }
      };
      ws.onclose = (ev) => {
        clearInterval(this.pingTimer);
        this.pingTimer = null;
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new SignalingError('socket_closed', `socket closed (${ev.code})`));
        }
        this.pending.clear();
        if (!opened) reject(new SignalingError('socket_closed', `could not connect (${ev.code})`));
        else this.onclose(ev, this.closedByUs);
      };
      ws.onerror = () => { /* onclose follows with the code */ };
    });
  }

  /** Sends a frame (adding v:1). Returns false if the socket is not open. */
  send(msg) {
    if (!this.open) return false;
    const frame = { v: 1, ...msg };
    this.ws.send(JSON.stringify(frame));
    this.onframe('out', frame);
    return true;
  }

  /** Sends a frame with a fresh request_id without waiting for a reply. */
  sendRequest(msg) {
    return this.send({ ...msg, request_id: String(this.nextId++) });
  }

  /** Sends a frame with a request_id and resolves with the reply carrying it (rejects on `error`). */
  request(msg, timeoutMs = REQUEST_TIMEOUT_MS) {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SignalingError('timeout', `no reply to ${msg.type}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      if (!this.send({ ...msg, request_id: id })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new SignalingError('socket_closed', 'not connected'));
      }
    });
  }

  close(code = 1000, reason = '') {
    this.closedByUs = true;
    clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) {
      try { this.ws.close(code, reason); } catch { /* ignore */ }
    }
  }
}

/** The signaling URL without a token: a socket that will send `resume` (docs/signaling.md, "Resume"). */
export function resumeUrl(signalingUrlFromServer) {
  const u = new URL(signalingUrlFromServer || '/v1/signal', location.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  u.searchParams.delete('token');
  return u.toString();
}

/** signaling_url from the join response (absolute ws(s) URL, or a path) + the token. */
export function signalingUrl(signalingUrlFromServer, token) {
  const u = new URL(signalingUrlFromServer || '/v1/signal', location.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  // A page loaded over https may not open ws:// (mixed content), and the token must not travel in
  // clear: a server behind a proxy it does not trust yet may still name ws://, so upgrade it.
  if (location.protocol === 'https:' && u.protocol === 'ws:') u.protocol = 'wss:';
  u.searchParams.set('token', token);
  return u.toString();
}
