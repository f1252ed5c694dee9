// Shared by the agent console and the merchant page: /rpc calls with the signed-in token, the
// live event stream (/events, read with fetch so the token stays in a header), and small
// formatting and DOM helpers. No build step: a plain ES module.

/** The token of one page (the console and the merchant page sign in separately). */
export class Session {
  constructor(key) { this.key = key; }
  get token() { return sessionStorage.getItem(this.key); }
  get info() { try { return JSON.parse(sessionStorage.getItem(this.key + '.info') || '{}'); } catch { return {}; } }
  save(token, info) {
    sessionStorage.setItem(this.key, token);
    sessionStorage.setItem(this.key + '.info', JSON.stringify(info || {}));
  }
  set(name, value) { const i = this.info; i[name] = value; sessionStorage.setItem(this.key + '.info', JSON.stringify(i)); }
  clear() { sessionStorage.removeItem(this.key); sessionStorage.removeItem(this.key + '.info'); }
  /** Seconds the token is still valid (0 when expired or absent). */
  secondsLeft() {
    const t = this.token; if (!t) return 0;
    try {
      const claims = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return Math.max(0, (claims.exp || Infinity) - Date.now() / 1000);
    } catch { return 0; }
  }
}

/** A PostgREST-style error: {code, message, details, hint} with the HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status; this.code = body?.code; this.hint = body?.hint; this.details = body?.details;
  }
}

/** Server clock minus ours, in ms (offers expire by the server's clock). */
export let clockSkew = 0;

/** Calls api.<fn>(args) through POST /rpc/<fn> as the session's role. */
export async function rpc(session, fn, args = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (session?.token) headers.Authorization = 'Bearer ' + session.token;
  const res = await fetch('/rpc/' + fn, { method: 'POST', headers, body: JSON.stringify(args) });
  const date = res.headers.get('date');
  if (date) clockSkew = Date.parse(date) + 500 - Date.now();
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { message: text }; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const serverNow = () => Date.now() + clockSkew;

/**
 * Reads GET /events (server-sent events) with the session's token; calls onEvent(json) for each
 * event and onState('live' | 'connecting' | 'offline') as the stream comes and goes.
 * Reconnects with backoff. Returns {close()}.
 */
export function liveEvents(session, onEvent, onState) {
  let stopped = false, backoff = 500, controller = null;
  async function run() {
    while (!stopped) {
      onState('connecting');
      controller = new AbortController();
      try {
        const res = await fetch('/events', {
          headers: { Authorization: 'Bearer ' + session.token, Accept: 'text/event-stream' },
          signal: controller.signal, cache: 'no-store',
        });
        if (res.status === 401 || res.status === 403) { onState('offline'); onEvent({ event: 'unauthorized' }); return; }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        onState('live'); backoff = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut); buf = buf.slice(cut + 2);
            const data = block.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trim()).join('\n');
            if (data) { try { onEvent(JSON.parse(data)); } catch (e) { console.warn('bad event', data, e); } }
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('offline');
      await new Promise(r => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10000);
    }
  }
  run();
  return { close() { stopped = true; controller?.abort(); } };
}

/** h('div.card#id', {attrs, onclick}, children...): a tiny DOM builder. */
export function h(spec, attrs, ...children) {
  if (attrs == null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    if (attrs != null) children.unshift(attrs);
    attrs = {};
  }
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9]*)(.*)$/i);
  const node = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') node.classList.add(part.slice(1)); else node.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className += ' ' + v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'value') node.value = v;
    // Through the CSSOM: the pages' Content-Security-Policy refuses style attributes.
    else if (k === 'style') node.style.cssText = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') node[k] = !!v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function money(cents, currency = 'USD') {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format((cents || 0) / 100);
}

/** +15555550100 -> (555) 555-0100; other numbers as given. */
export function phone(e164) {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164 || '');
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : (e164 || 'unknown');
}

export function clock(ts) {
  return ts ? new Date(ts).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }) : '';
}

export function ago(ts) {
  const s = Math.max(0, Math.round((serverNow() - Date.parse(ts)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return clock(ts);
}

export const statusLabel = {
  pending_verification: 'Awaiting check', in_verification: 'Being checked', verified: 'Verified',
  sent_to_pos: 'Sent to POS', accepted_by_pos: 'In the kitchen', completed: 'Completed',
  rejected: 'Rejected', failed: 'POS failed', cancelled: 'Cancelled', abandoned: 'Abandoned',
};

/** A short-lived message at the bottom right. */
export function toast(message, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) { box = h('div#toasts', { 'aria-live': 'polite' }); document.body.append(box); }
  const t = h('div.toast.' + kind, message);
  box.append(t);
  setTimeout(() => t.classList.add('leaving'), 4200);
  setTimeout(() => t.remove(), 4600);
}

/** What the caller ordered on one line, in words: "Large · Thin Crust · extra Mushrooms · no Onions". */
export function lineDetails(line) {
  const parts = [];
  if (line.variation_name) parts.push(line.variation_name);
  for (const m of line.modifiers || []) {
    const name = m.name || m.option;
    parts.push(m.negated ? `no ${name}` : m.qualifier ? `${m.qualifier} ${name}` : name);
  }
  return parts.join(' · ');
}

// Line icons (Feather's shapes, MIT): no icon font or emoji font needed.
const ICONS = {
  bell: '<path d="M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9"/><path d="M13.73 21a2 2 0 0 1-3.46 0"/>',
  'bell-off': '<path d="M13.73 21a2 2 0 0 1-3.46 0"/><path d="M18.63 13A17.89 17.89 0 0 1 18 8"/><path d="M6.26 6.26A5.86 5.86 0 0 0 6 8c0 7-3 9-3 9h14"/><path d="M18 8a6 6 0 0 0-9.33-5"/><line x1="1" y1="1" x2="23" y2="23"/>',
  headphones: '<path d="M3 18v-6a9 9 0 0 1 18 0v6"/><path d="M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z"/>',
  coffee: '<path d="M18 8h1a4 4 0 0 1 0 8h-1"/><path d="M2 8h16v9a4 4 0 0 1-4 4H6a4 4 0 0 1-4-4V8z"/><line x1="6" y1="1" x2="6" y2="4"/><line x1="10" y1="1" x2="10" y2="4"/><line x1="14" y1="1" x2="14" y2="4"/>',
  phone: '<path d="M22 16.92v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.5 19.5 0 0 1-6-6 19.79 19.79 0 0 1-3.07-8.67A2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72 12.84 12.84 0 0 0 .7 2.81 2 2 0 0 1-.45 2.11L8.09 9.91a16 16 0 0 0 6 6l1.27-1.27a2 2 0 0 1 2.11-.45 12.84 12.84 0 0 0 2.81.7A2 2 0 0 1 22 16.92z"/>',
  check: '<path d="M22 11.08V12a10 10 0 1 1-5.93-9.14"/><polyline points="22 4 12 14.01 9 11.01"/>',
  x: '<circle cx="12" cy="12" r="10"/><line x1="15" y1="9" x2="9" y2="15"/><line x1="9" y1="9" x2="15" y2="15"/>',
  moon: '<path d="M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z"/>',
  clock: '<circle cx="12" cy="12" r="10"/><polyline points="12 6 12 12 16 14"/>',
};
export function icon(name, size = 16) {
  const span = document.createElement('span');
  span.className = 'icon';
  span.innerHTML = `<svg width="${size}" height="${size}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[name] || ''}</svg>`;
  return span;
}
