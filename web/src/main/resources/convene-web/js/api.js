// REST client for /v1 (docs/signaling.md, "REST, before the socket").
// Guest access tokens are kept in localStorage and renewed shortly before they expire.

const AUTH_KEY = 'convene.auth';
const NAME_KEY = 'convene.displayName';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = (problem && problem.code) || (status ? `http_${status}` : 'network_error');
    this.problem = problem || null;
  }
}

export function savedName() {
  try { return localStorage.getItem(NAME_KEY) || ''; } catch { return ''; }
}

export function saveName(name) {
  try { localStorage.setItem(NAME_KEY, String(name || '').trim()); } catch { /* private mode */ }
}

function loadAuth() {
  try {
    const auth = JSON.parse(localStorage.getItem(AUTH_KEY) || 'null');
    if (auth && auth.access_token && auth.expires_at > Date.now() + 60_000) return auth;
  } catch { /* ignore */ }
  return null;
}

function storeAuth(auth) {
  try { localStorage.setItem(AUTH_KEY, JSON.stringify(auth)); } catch { /* private mode */ }
}

export function clearAuth() {
  try { localStorage.removeItem(AUTH_KEY); } catch { /* ignore */ }
}

async function call(method, path, { body, auth = true, retried = false, extraHeaders = {} } = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) headers.Authorization = `Bearer ${(await accessToken()).access_token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { code: 'network_error', detail: String(e && e.message || e) });
  }
  let json = null;
  const text = await res.text();
  if (text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (res.status === 401 && auth && !retried) {
    // Expired or foreign token (e.g. the server restarted with a new key): get a fresh one once.
    clearAuth();
    return call(method, path, { body, auth, retried: true, extraHeaders });
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

let tokenPromise = null;
/** A valid guest access token, fetching one with POST /v1/auth/guest when none is stored. */
export async function accessToken() {
  const stored = loadAuth();
  if (stored) return stored;
  if (!tokenPromise) {
    tokenPromise = (async () => {
      const r = await call('POST', '/v1/auth/guest', {
        body: { display_name: savedName() || 'Guest' }, auth: false,
      });
      const auth = {
        access_token: r.access_token,
        user_id: r.user_id,
        display_name: r.display_name,
        expires_at: Date.now() + (Number(r.expires_in) || 3600) * 1000,
      };
      storeAuth(auth);
      return auth;
    })().finally(() => { tokenPromise = null; });
  }
  return tokenPromise;
}

export const api = {
  createMeeting: (title) => call('POST', '/v1/meetings', { body: title ? { title } : {} }),
  getMeeting: (id) => call('GET', `/v1/meetings/${encodeURIComponent(id)}`),
  /** password goes in a header, never the URL (docs/signaling.md, "Hosts"). */
  join: (id, displayName, password) => {
    const q = displayName ? `?display_name=${encodeURIComponent(displayName)}` : '';
    const extraHeaders = password ? { 'Convene-Meeting-Password': password } : {};
    return call('GET', `/v1/meetings/${encodeURIComponent(id)}/join${q}`, { extraHeaders });
  },
  /** A host action: POST /v1/meetings/{id}/{action}, e.g. `rules`, `end`, `participants/{pid}/remove`. */
  moderate: (id, action, body = {}) => call('POST', `/v1/meetings/${encodeURIComponent(id)}/${action}`, { body }),
};

const MESSAGES = {
  meeting_not_found: "We couldn't find that meeting. Check the code or link and try again.",
  meeting_full: 'This meeting is full. Try again when someone leaves.',
  meeting_locked: 'This meeting is locked. Ask a host to unlock it.',
  meeting_ended: 'This meeting has ended.',
  removed_from_meeting: 'A host removed you from this meeting.',
  wrong_password: 'This meeting needs its password, and that was not it.',
  not_host: 'Only a host can do that.',
  muted_by_host: 'A host muted you, and this meeting does not let you unmute yourself.',
  unauthorized: 'Your session expired. Please try again.',
  network_error: "Can't reach the Convene server. Check your connection and try again.",
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
  bad_sdp: "Your browser's media setup was rejected by the server.",
  not_joined: 'You are not in the meeting yet.',
  malformed_message: 'The server did not understand a message from this app.',
  unknown_type: 'The server does not support that action.',
  unsupported_version: 'This app is not compatible with the server version.',
  frame_too_large: 'That message is too long.',
  timeout: 'The server took too long to answer.',
  socket_closed: 'The connection to the server was lost.',
};

/** A sentence for a person, from an ApiError, a signaling error, or anything thrown. */
export function friendlyError(err) {
  const code = err && err.code;
  if (code && MESSAGES[code]) return MESSAGES[code];
  if (err && err.problem && err.problem.title) return err.problem.title;
  if (err && err.message) return err.message;
  return 'Something went wrong. Please try again.';
}
