// Tiny DOM helpers: element builder, toasts, formatting.
import { icon } from '/js/icons.js';

/**
 * h('button', {class: 'x', testid: 'y', onclick: fn}, 'text', child, [more])
 * Props: class, testid (-> data-testid), dataset, style (object or string), on* handlers,
 * boolean/non-string values set as properties (muted, autoplay, disabled...).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (typeof v === 'boolean') { el.setAttribute(k, ''); if (k in el) el[k] = true; }
      else el.setAttribute(k, String(v));
    }
  }
  appendChildren(el, children);
  return el;
}

function appendChildren(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) appendChildren(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

let toastHost = null;
/** Shows a short message at the bottom of the screen. kind: 'info' | 'error' | 'success'. */
export function toast(message, kind = 'info', ms = 4000) {
  if (!toastHost || !toastHost.isConnected) {
    toastHost = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toastHost);
  }
  const t = h('div', { class: `toast toast-${kind}`, testid: 'toast' },
    kind === 'error' ? icon('warning', 18) : kind === 'success' ? icon('check', 18) : null,
    h('span', null, message));
  toastHost.appendChild(t);
  requestAnimationFrame(() => t.classList.add('show'));
  setTimeout(() => {
    t.classList.remove('show');
    setTimeout(() => t.remove(), 250);
  }, ms);
}

export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = [...parts[0]][0] || '?';
  const last = parts.length > 1 ? ([...parts[parts.length - 1]][0] || '') : '';
  return (first + last).toUpperCase();
}

/** A stable pleasant colour for an id. */
export function colorFor(id) {
  let hash = 0;
  for (const ch of String(id)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hues = [4, 28, 45, 122, 162, 187, 210, 231, 262, 291, 330];
  return `hsl(${hues[hash % hues.length]} 55% 42%)`;
}

export function formatTime(iso) {
  const d = iso ? new Date(iso) : new Date();
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Fallback for insecure contexts (http on a LAN address) where the async clipboard is absent.
    const ta = h('textarea', { style: { position: 'fixed', opacity: '0' } });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    return ok;
  }
}

export function meetingLink(meetingId) {
  return `${location.origin}/m/${encodeURIComponent(meetingId)}`;
}
