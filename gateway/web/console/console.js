// The agent console (docs/console.md): sign in, take offered verification tasks as they come
// (live from /events), check the call and the order kea took, correct it with the menu's own
// choices, approve or reject. Everything goes through /rpc (api.* functions, role kea_agent).
import { Session, rpc, liveEvents, h, icon, money, phone, clock, serverNow, toast, lineDetails, statusLabel } from '/web/kea.js';

const session = new Session('kea.agent');
const S = {
  tasks: [],          // api.my_tasks()
  selected: null,     // task_id shown on the right
  detail: null,       // {task_id, task, call, menu}
  draft: null,        // the line being edited: {line_no, item, quantity, variation, mods: Map}
  live: 'connecting',
  activity: session.info.activity || 'offline',
  sound: session.info.sound !== false,
  fresh: new Set(),   // offers that just arrived (pulse)
  edited: new Set(),  // `${order}:${line}` changed by this agent
  timedOut: new Set(),
  was: new Map(),     // `${order}:${line}` -> the line before this agent's first edit
  busy: false,
  whyOf: new Map(),   // task_id -> why (api.call_for_task's), for the task cards
  view: 'tasks',      // the left panel: 'tasks' (offers and accepted tasks) or 'verified'
  verified: [],       // api.autoverified_orders(): orders kea verified alone, newest first
  verifiedMore: false, // a full page came back: there may be older ones
  vSelected: null,    // order_id of the verified order shown on the right
  vDetail: null,      // api.autoverified_order()
};
const VERIFIED_PAGE = 30;
let stream = null, audio = null;
const app = document.getElementById('app');

// ---------------------------------------------------------------------------------------------
// Sign-in

function renderSignin(message = '') {
  app.replaceChildren(h('div.signin',
    h('form.panel', { onsubmit: signIn },
      h('div.brand', h('img', { src: '/web/kea.svg', alt: '' }), 'kea', h('small', 'Agent console')),
      h('p.muted', { style: 'margin:0' }, 'Sign in to check phone orders before they reach the kitchen.'),
      h('label.field', 'Email', h('input#email', { type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true })),
      h('label.field', 'Password', h('input#password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true })),
      h('div.error#signin-error', message),
      h('button.btn.primary.big', { type: 'submit' }, 'Sign in'))));
}

async function signIn(e) {
  e.preventDefault();
  unlockAudio();
  const email = document.getElementById('email').value, password = document.getElementById('password').value;
  try {
    const r = await rpc(null, 'login', { email, password });
    if (r.role !== 'kea_agent') throw new Error('this account is not a call-centre agent');
    session.save(r.token, { agent_id: r.agent_id, name: r.name, email, activity: 'offline', sound: true });
    S.activity = 'offline';
    start();
  } catch (err) {
    document.getElementById('signin-error').textContent = err.code === 'KA401' ? 'Wrong email or password.' : err.message;
  }
}

function signOut(message) {
  stream?.close(); stream = null;
  session.clear();
  Object.assign(S, { tasks: [], selected: null, detail: null, draft: null, view: 'tasks', verified: [], vSelected: null, vDetail: null });
  renderSignin(message);
}

// ---------------------------------------------------------------------------------------------
// Live data

function start() {
  render();
  stream = liveEvents(session, onEvent, state => { S.live = state; renderTopbar(); });
  refresh();
}

async function refresh() {
  try {
    S.tasks = await rpc(session, 'my_tasks');
  } catch (err) {
    if (err.status === 401) return signOut('Your session ended: sign in again.');
    return toast(err.message, 'bad');
  }
  const ids = new Set(S.tasks.map(t => t.task_id));
  loadCardReasons();
  if (S.selected && !ids.has(S.selected) && !S.detail?.done) { S.selected = null; S.detail = null; S.draft = null; }
  if (!S.selected) {
    const first = visibleTasks()[0];
    if (first) { render(); await select(first.task_id, false); }
  } else if (S.detail && !S.detail.done) {
    const t = S.tasks.find(x => x.task_id === S.selected);
    if (t && S.detail.task.reservation_status !== t.reservation_status) await loadDetail(S.selected);
  }
  render();
}

function onEvent(ev) {
  switch (ev.event) {
    case 'ready': case 'resync': return refresh();
    case 'unauthorized': case 'expired': return signOut('Your session ended: sign in again.');
  }
  const order = ev.order_id ? `order #${ev.order_id}` : `task ${ev.task_id}`;
  if (ev.yours === false) {
    toast(ev.event === 'completed' || ev.event === 'escalated'
      ? `The offer for ${order} is gone: it was handled elsewhere.`
      : `${cap(order)} was taken by another agent.`);
  } else if (ev.event === 'offered') {
    S.fresh.add(ev.task_id);
    cue();
  } else if (ev.event === 'timeout' && !S.timedOut.has(ev.task_id)) {
    S.timedOut.add(ev.task_id);
    toast(`The offer for ${order} timed out and went to the next agent.`);
  } else if (ev.event === 'canceled' || ev.event === 'rescinded') {
    toast(`${cap(order)} was taken back (${ev.event === 'rescinded' ? 'moved to another queue' : 'you left available'}).`);
  }
  refresh();
}

const cap = s => s.charAt(0).toUpperCase() + s.slice(1);

/** Why each task came to a person, for its card: read once per task (a decision never changes),
 *  from the same api.call_for_task the detail uses. A card whose reason is not read yet, or
 *  cannot be, shows none. */
const whyLoading = new Set();
async function loadCardReasons() {
  const todo = S.tasks.filter(t => !S.whyOf.has(t.task_id) && !whyLoading.has(t.task_id));
  if (!todo.length) return;
  for (const t of todo) whyLoading.add(t.task_id);
  await Promise.all(todo.map(async t => {
    try { S.whyOf.set(t.task_id, (await rpc(session, 'call_for_task', { task_id: t.task_id })).why || []); }
    catch { /* gone or not ours any more: no reason on the card */ }
    finally { whyLoading.delete(t.task_id); }
  }));
  render();
}

/** Offers still open and accepted tasks; an offer past its expiry disappears at once. */
function visibleTasks() {
  const now = serverNow();
  return S.tasks.filter(t => t.reservation_status === 'accepted' || Date.parse(t.expires_at) > now)
    .sort((a, b) => (a.reservation_status === 'pending') - (b.reservation_status === 'pending') || a.task_id - b.task_id);
}

async function select(taskId, rerender = true) {
  S.selected = taskId; S.draft = null;
  S.fresh.delete(taskId);
  await loadDetail(taskId);
  if (rerender) render();
}

// Loads may overlap (an event's refresh and a click): only the latest one is shown.
let detailSeq = 0;
async function loadDetail(taskId) {
  const seq = ++detailSeq;
  try {
    const [task, call, menu] = await Promise.all([
      rpc(session, 'order_for_task', { task_id: taskId }),
      rpc(session, 'call_for_task', { task_id: taskId }),
      rpc(session, 'menu_for_task', { task_id: taskId }),
    ]);
    S.whyOf.set(taskId, call?.why || []);
    if (seq === detailSeq && S.selected === taskId) S.detail = { task_id: taskId, task, call, menu };
  } catch (err) {
    if (seq !== detailSeq) return;
    if (err.code === 'KT404') { S.selected = null; S.detail = null; }
    else toast(err.message, 'bad');
  }
}

// ---------------------------------------------------------------------------------------------
// Actions

async function act(label, fn) {
  if (S.busy) return;
  S.busy = true;
  try { return await fn(); }
  catch (err) {
    toast(`${label}: ${err.message}`, 'bad');
    if (err.code === 'KT404' || err.code === 'KT410' || err.code === 'KO409') await refresh();
  } finally { S.busy = false; render(); }
}

function currentOffer() {
  const t = S.tasks.find(x => x.task_id === S.selected && x.reservation_status === 'pending');
  return t || visibleTasks().find(x => x.reservation_status === 'pending');
}
// Only while the task is on screen: the keys act on what the agent sees.
const inVerification = () => S.view === 'tasks' && S.detail && !S.detail.done && S.detail.task.reservation_status === 'accepted';

const accept = (t = currentOffer()) => t && act('Accept', async () => {
  await rpc(session, 'accept_task', { task_id: t.task_id });
  S.selected = t.task_id;
  await loadDetail(t.task_id);
  S.tasks = await rpc(session, 'my_tasks');
  toast(`Order #${t.order.id} is yours: check it against the call.`, 'ok');
});

const rejectOffer = (t = currentOffer()) => t && act('Reject', async () => {
  await rpc(session, 'reject_task', { task_id: t.task_id, reason: 'declined by the agent' });
  if (S.selected === t.task_id) { S.selected = null; S.detail = null; }
  toast(`You passed on order #${t.order.id}.`);
  await refresh();
});

const approve = () => inVerification() && !S.draft && act('Approve', async () => {
  const order = await rpc(session, 'approve_order', { task_id: S.detail.task_id });
  S.detail = { ...S.detail, done: { outcome: 'approved', order } };
  toast(`Order #${order.id} approved: on its way to the kitchen.`, 'ok');
  await refresh();
});

const rejectOrder = reason => act('Reject order', async () => {
  const order = await rpc(session, 'reject_order', { task_id: S.detail.task_id, reason });
  S.detail = { ...S.detail, done: { outcome: 'rejected', order, reason } };
  closeOverlay();
  toast(`Order #${order.id} rejected; the caller gets a text.`);
  await refresh();
});

const setActivity = activity => act('Activity', async () => {
  const r = await rpc(session, 'set_activity', { activity });
  S.activity = r.activity; session.set('activity', r.activity);
  await refresh();
});

function setOrder(order) { S.detail.task = { ...S.detail.task, order }; }

const saveDraft = () => S.draft && act('Save line', async () => {
  const d = S.draft;
  const order = await rpc(session, 'edit_order_line', {
    task_id: S.detail.task_id, line_no: d.line_no, quantity: d.quantity, variation: d.variation || null,
    modifiers: [...d.mods.values()],
  });
  S.edited.add(`${order.id}:${d.line_no}`);
  const key = `${order.id}:${d.line_no}`;
  if (!S.was.has(key)) S.was.set(key, d.before);
  setOrder(order); S.draft = null;
});

const removeLine = lineNo => act('Remove line', async () => {
  const order = await rpc(session, 'remove_order_line', { task_id: S.detail.task_id, line_no: lineNo });
  setOrder(order); S.draft = null;
});

const addLine = code => code && act('Add item', async () => {
  const { menu } = S.detail;
  const item = menu.items.find(i => i.code === code);
  const variation = item.variations?.length ? (item.default_variation || item.variations.find(v => v.available !== false)?.code) : null;
  const modifiers = groupsOf(item).filter(g => g.min > 0).map(g => {
    const o = g.options.find(o => o.default && o.available !== false) || g.options.find(o => o.available !== false);
    return { group: g.code, option: o.code };
  });
  const order = await rpc(session, 'add_order_line', { task_id: S.detail.task_id, item: code, variation, quantity: 1, modifiers });
  const line = order.lines[order.lines.length - 1];
  S.edited.add(`${order.id}:${line.line_no}`);
  setOrder(order);
  openEditor(line);
});

function openEditor(line) {
  const mods = new Map((line.modifiers || []).map(m => [`${m.group}:${m.option}`,
    { group: m.group, option: m.option, qualifier: m.qualifier || null, negated: !!m.negated }]));
  S.draft = { line_no: line.line_no, item: line.item_code, quantity: line.quantity, variation: line.variation_code, mods, before: line };
  render();
}

// ---------------------------------------------------------------------------------------------
// Cues: a pulse on the card, the tab title, and a two-note chime (when sound is on)

function unlockAudio() {
  if (!audio && window.AudioContext) { try { audio = new AudioContext(); } catch { audio = null; } }
}
function cue() {
  if (!S.sound || !audio) return;
  const t0 = audio.currentTime;
  for (const [i, f] of [[0, 880], [1, 1175]]) {
    const o = audio.createOscillator(), g = audio.createGain();
    o.frequency.value = f; o.type = 'sine';
    g.gain.setValueAtTime(0.0001, t0 + i * .16);
    g.gain.exponentialRampToValueAtTime(0.18, t0 + i * .16 + .02);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + i * .16 + .35);
    o.connect(g).connect(audio.destination); o.start(t0 + i * .16); o.stop(t0 + i * .16 + .4);
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render() {
  if (!session.token) return renderSignin();
  let top = document.getElementById('topbar'), main = document.getElementById('console');
  if (!top) {
    top = h('header.topbar#topbar'); main = h('div.console#console');
    app.replaceChildren(top, main);
  }
  renderTopbar();
  main.replaceChildren(S.view === 'verified' ? renderVerifiedList() : renderQueue(),
    S.view === 'verified' ? renderVerifiedWork() : renderWork());
  const offers = visibleTasks().filter(t => t.reservation_status === 'pending').length;
  document.title = offers ? `(${offers}) New offer · kea` : 'kea · Agent console';
}

function renderTopbar() {
  const top = document.getElementById('topbar');
  if (!top) return;
  const me = session.info;
  const initials = (me.name || me.email || '?').split(/\s+/).map(w => w[0]).join('').slice(0, 2).toUpperCase();
  const seg = h('div.seg', { role: 'radiogroup', 'aria-label': 'Activity' },
    [['available', 'Available', '1'], ['break', 'Break', '2'], ['offline', 'Offline', '3']].map(([a, label, key]) =>
      h('button', { class: S.activity === a ? 'on' : '', role: 'radio', 'aria-checked': S.activity === a ? 'true' : 'false',
        'data-activity': a, title: `${label} (${key})`, onclick: () => setActivity(a) }, h('span.dot.' + a), label)));
  const liveText = { live: 'Live', connecting: 'Connecting…', offline: 'Reconnecting…' }[S.live];
  top.replaceChildren(
    h('div.brand', h('img', { src: '/web/kea.svg', alt: '' }), 'kea', h('small', 'Agent console')),
    seg,
    h('span.chip#live', { title: 'Offers arrive live over /events' }, h('span.dot.' + S.live), liveText),
    h('div.grow'),
    h('button.btn.ghost.small', { title: 'Sound for new offers (M)', onclick: toggleSound }, icon(S.sound ? 'bell' : 'bell-off'), S.sound ? 'Sound on' : 'Sound off'),
    h('button.btn.ghost.small', { title: 'Keyboard shortcuts (?)', onclick: showHelp }, h('kbd', '?'), 'Shortcuts'),
    h('div.who', h('div.avatar', initials), h('span', me.name || me.email)),
    h('button.btn.small', { onclick: () => setActivity('offline').then(() => signOut()) }, 'Sign out'));
}

function toggleSound() { unlockAudio(); S.sound = !S.sound; session.set('sound', S.sound); renderTopbar(); }

function renderQueue() {
  const tasks = visibleTasks();
  const offers = tasks.filter(t => t.reservation_status === 'pending').length;
  return h('section.panel.queue',
    renderViewTabs(offers),
    h('header', h('h2', 'Your tasks'), h('span.chip' + (offers ? '.brand' : ''), `${offers} offer${offers === 1 ? '' : 's'}`),
      h('div.grow'), h('span.faint', `${tasks.length - offers} in progress`)),
    h('div.list#tasks', tasks.length ? tasks.map(renderTaskCard) : h('div.empty',
      h('div.big', icon(S.activity === 'available' ? 'headphones' : S.activity === 'break' ? 'coffee' : 'moon', 36)),
      h('div', S.activity === 'available' ? 'Waiting for the next order…' : S.activity === 'break' ? 'You are on break.' : 'You are offline.'),
      h('div.faint', { style: 'margin-top:6px' }, S.activity === 'available'
        ? 'Offers appear here the moment a call ends.' : 'Press 1 (Available) to receive offers.'))));
}

function renderTaskCard(t) {
  const o = t.order || {};
  const offer = t.reservation_status === 'pending';
  const items = (o.lines || []).reduce((n, l) => n + l.quantity, 0);
  const card = h('article.task' + (offer ? '.offer' : '') + (S.fresh.has(t.task_id) ? '.fresh' : '') + (S.selected === t.task_id ? '.selected' : ''),
    { dataset: { task: t.task_id, status: t.reservation_status }, onclick: () => select(t.task_id) },
    h('div.title', h('span', `Order #${o.id}`), h('div.grow'), offer ? h('span.chip.brand', 'New offer') : h('span.chip.info', 'In progress')),
    h('div.meta', h('span', { style: 'font-weight:600;color:var(--ink)' }, t.merchant), h('span', phone(o.customer_phone)), h('span', `${items} item${items === 1 ? '' : 's'}`),
      h('span', money(o.total_cents, o.currency)), h('span', o.fulfillment === 'delivery' ? 'Delivery' : 'Pickup')),
    renderCardWhy(S.whyOf.get(t.task_id)),
    offer && h('div.row',
      h('div.timer.grow', { dataset: { expires: t.expires_at, total: String(offerSeconds(t)) } },
        h('i', { style: `width:${Math.min(100, 100 * secondsLeft(t.expires_at) / offerSeconds(t))}%` })),
      h('span.countdown', { dataset: { expires: t.expires_at } }, countdown(secondsLeft(t.expires_at)))),
    offer && h('div.row',
      h('button.btn.primary.small.grow', { onclick: e => { e.stopPropagation(); accept(t); } }, 'Accept', h('kbd', 'A')),
      h('button.btn.small', { onclick: e => { e.stopPropagation(); rejectOffer(t); } }, 'Pass', h('kbd', 'R'))));
  return card;
}

/** Length of the offer window, for the bar (the queue's reservation timeout). */
function offerSeconds(t) {
  const key = 'offer-len-' + t.reservation_id;
  let s = Number(sessionStorage.getItem(key));
  if (!s) { s = Math.max(5, Math.round((Date.parse(t.expires_at) - serverNow()) / 1000)); sessionStorage.setItem(key, s); }
  return s;
}

const secondsLeft = expires => Math.max(0, (Date.parse(expires) - serverNow()) / 1000);
const countdown = left => left > 0 ? `${Math.floor(left / 60)}:${String(Math.floor(left % 60)).padStart(2, '0')}` : 'expired';

function tick() {
  const now = serverNow();
  let expired = false;
  for (const n of document.querySelectorAll('[data-expires]')) {
    const left = (Date.parse(n.dataset.expires) - now) / 1000;
    if (left <= 0) expired = true;
    const low = left < 10;
    if (n.classList.contains('timer')) {
      n.firstChild.style.width = `${Math.max(0, Math.min(100, 100 * left / Number(n.dataset.total || 30)))}%`;
      n.classList.toggle('low', low);
    } else {
      n.textContent = countdown(left);
      n.classList.toggle('low', low);
    }
  }
  if (expired) {
    for (const t of S.tasks) {
      if (t.reservation_status === 'pending' && Date.parse(t.expires_at) <= now && !S.timedOut.has(t.task_id)) {
        S.timedOut.add(t.task_id);
        toast(`The offer for order #${t.order.id} timed out.`);
      }
    }
    if (S.selected && !visibleTasks().some(t => t.task_id === S.selected) && !S.detail?.done) {
      S.selected = null; S.detail = null;
    }
    render();
  }
}

function renderWork() {
  const d = S.detail;
  if (!d) return h('section.work', h('div.panel.grow', h('div.empty', { style: 'padding-top:120px' },
    h('div.big', icon('phone', 40)), h('h2', 'No order selected'),
    h('p.muted', 'Accept an offer on the left to check the call and its order.'),
    h('div.hint-bar', { style: 'justify-content:center' }, h('span', h('kbd', 'A'), ' accept'), h('span', h('kbd', 'Enter'), ' approve'),
      h('span', h('kbd', 'R'), ' reject'), h('span', h('kbd', '?'), ' all shortcuts')))));
  if (d.done) return renderDone(d);
  const t = d.task, o = t.order, c = d.call || {};
  const offer = t.reservation_status === 'pending';
  const details = o.requested_time ? (o.requested_time.text || o.requested_time.kind || JSON.stringify(o.requested_time)) : 'As soon as possible';
  return h('section.work',
    h('div.panel.callbar#callbar',
      h('div.stack', { style: 'gap:2px' }, h('span.faint', 'Caller'), h('span.caller', phone(c.from || o.customer_phone)),
        o.customer_name && h('span.muted', o.customer_name)),
      h('div.facts',
        fact('Store', t.merchant), fact('Order', `#${o.id}`), fact('Fulfillment', o.fulfillment === 'delivery' ? `Delivery · ${o.address || 'no address'}` : 'Pickup'),
        fact('When', details), fact('Call', c.started_at ? `${clock(c.started_at)} · ${callLength(c)}` : '—'),
        fact('Returning', c.previous_orders ? `${c.previous_orders} earlier order${c.previous_orders === 1 ? '' : 's'}` : 'First order')),
      offer
        ? h('div.row', h('span.countdown', { dataset: { expires: t.expires_at } }, countdown(secondsLeft(t.expires_at))),
            h('button.btn.primary.big#accept', { onclick: () => accept(S.tasks.find(x => x.task_id === d.task_id)) }, 'Accept', h('kbd', 'A')),
            h('button.btn.big', { onclick: () => rejectOffer(S.tasks.find(x => x.task_id === d.task_id)) }, 'Pass', h('kbd', 'R')))
        : h('span.chip.info', statusLabel[o.status] || o.status)),
    renderWhy(c.why),
    h('div.split', renderTranscript(c, d.menu), renderOrder(d, offer)));
}

/** Why kea handed this order to a person (api.call_for_task's `why`: the save's refusal, the
 *  auto-verify rule that held it), above everything else. Nothing when kea recorded no reason
 *  (auto-verify off: every order is checked) or sampled the order (a blind check). */
function renderWhy(why) {
  if (!why?.length) return null;
  return h('div.panel.why#why', { role: 'note' },
    h('div.why-title', icon('headphones', 18), 'Why a person checks this'),
    h('ul', why.map(w => h('li', { dataset: { rule: w.rule } }, cap(w.text)))));
}

/** The same reasons on a task card, the first one in a line (all of them on hover). */
function renderCardWhy(why) {
  if (!why?.length) return null;
  return h('div.card-why', { dataset: { rule: why[0].rule }, title: why.map(w => cap(w.text)).join('\n') },
    h('span.chip.warn', 'held'),
    h('span', cap(why[0].text)));
}

/** The reasons that name a line, by line number. */
function whyByLine(why) {
  const m = new Map();
  for (const w of why || []) for (const n of w.lines || []) m.set(n, [...(m.get(n) || []), w]);
  return m;
}

function callLength(c) {
  const s = c.duration_s ?? (c.ended_at ? Math.round((Date.parse(c.ended_at) - Date.parse(c.started_at)) / 1000) : null);
  if (s == null) return c.status === 'active' ? 'in progress' : '';
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const fact = (label, value) => h('div.fact', h('span', label), h('span', value ?? '—'));

function renderDone(d) {
  const o = d.done.order;
  const ok = d.done.outcome === 'approved';
  return h('section.work', h('div.panel.grow', h('div.empty#done', { style: 'padding-top:110px' },
    h('div.big' + (ok ? '.ok' : '.bad'), icon(ok ? 'check' : 'x', 44)),
    h('h2', ok ? `Order #${o.id} approved` : `Order #${o.id} rejected`),
    h('p.muted', ok ? `${money(o.total_cents, o.currency)} · ${statusLabel[o.status] || o.status}. The kitchen gets it through the POS and the caller gets a text.`
      : `Reason: ${d.done.reason}. The caller gets a text.`),
    h('p.faint', S.activity === 'available' ? 'The next offer will appear on the left.' : 'Go available (1) for the next offer.'),
    h('button.btn', { onclick: () => { S.selected = null; S.detail = null; refresh(); } }, 'Close'))));
}

// ---------------------------------------------------------------------------------------------
// Verified by kea: the orders kea verified alone for the stores this agent serves (no person
// saw them). The agent opens one read-only, as a task's call, and may report a mistake: the
// store's auto-verify then checks itself again (docs/closed-loop.md); the order, already sent
// to the kitchen, is not changed.

function renderViewTabs(offers) {
  const tab = (view, label, extra) => h('button', { role: 'tab', class: S.view === view ? 'on' : '',
    'aria-selected': S.view === view ? 'true' : 'false', 'data-view': view, onclick: () => switchView(view) }, label, extra);
  return h('div.tabs', { role: 'tablist' },
    tab('tasks', 'Your tasks', offers ? h('span.chip.brand', { style: 'margin-left:6px;height:18px' }, String(offers)) : null),
    tab('verified', 'Verified by kea'));
}

function switchView(view) {
  if (S.view === view) return;
  S.view = view; S.draft = null;
  render();
  if (view === 'verified') loadVerified();
}

async function loadVerified(more = false) {
  const last = S.verified[S.verified.length - 1];
  try {
    const rows = await rpc(session, 'autoverified_orders',
      { max_rows: VERIFIED_PAGE, before: more && last ? last.verified_at : null });
    S.verified = more ? [...S.verified, ...rows] : rows;
    S.verifiedMore = rows.length === VERIFIED_PAGE;
  } catch (err) {
    if (err.status === 401) return signOut('Your session ended: sign in again.');
    toast(err.message, 'bad');
  }
  render();
}

async function selectVerified(orderId) {
  S.vSelected = orderId;
  render();
  try { S.vDetail = await rpc(session, 'autoverified_order', { order_id: orderId }); }
  catch (err) { S.vDetail = null; toast(err.message, 'bad'); }
  render();
}

/** The rule that passed, as recorded (app.autoverify_check), with its amounts in money. */
const inMoney = (reason, currency) => reason.replace(/\b(total|cap) (\d+)\b/g, (_, w, cents) => `${w} ${money(Number(cents), currency)}`);
const lineSummary = lines => (lines || []).map(l => `${l.quantity}× ${l.name}`).join(', ');
const when = ts => `${new Date(ts).toLocaleDateString([], { month: 'short', day: 'numeric' })} · ${clock(ts)}`;

function renderVerifiedList() {
  return h('section.panel.queue',
    renderViewTabs(visibleTasks().filter(t => t.reservation_status === 'pending').length),
    h('header', h('h2', 'Verified by kea'), h('div.grow'), h('span.faint', 'sent on without a person')),
    h('div.list#verified', S.verified.length ? [
      S.verified.map(v => h('article.task' + (S.vSelected === v.order_id ? '.selected' : ''),
        { dataset: { verified: v.order_id }, onclick: () => selectVerified(v.order_id) },
        h('div.title', h('span', `Order #${v.order_id}`), h('div.grow'),
          v.reported && h('span.chip.bad', 'reported'), h('span.chip.ok', statusLabel[v.status] || v.status)),
        h('div.meta', h('span', { style: 'font-weight:600;color:var(--ink)' }, v.merchant), h('span', when(v.verified_at)),
          h('span', phone(v.customer_phone)), h('span', `${v.items} item${v.items === 1 ? '' : 's'}`), h('span', money(v.total_cents, v.currency))),
        h('div.card-why', h('span', lineSummary(v.lines))))),
      S.verifiedMore && h('button.btn.small#verified-more', { onclick: () => loadVerified(true) }, 'Older orders'),
    ] : h('div.empty', h('div.big', icon('check', 36)), h('div', 'No order verified by kea alone yet.'),
      h('div.faint', { style: 'margin-top:6px' }, 'Orders of your stores that kea sent on without a person appear here.'))));
}

function renderVerifiedWork() {
  const v = S.vDetail;
  if (!v || v.order.id !== S.vSelected) return h('section.work', h('div.panel.grow', h('div.empty', { style: 'padding-top:120px' },
    h('div.big', icon('check', 40)), h('h2', S.vSelected ? 'Loading…' : 'No order selected'),
    h('p.muted', 'Open an order on the left to check its call against what kea sent to the kitchen.'))));
  const o = v.order, c = v.call || {};
  const d = { task: { order: o, merchant: v.merchant }, menu: v.menu, call: c };
  const reported = v.decision?.checked === 'reported';
  const store = v.store_phone ? phone(v.store_phone) : 'the store';
  return h('section.work',
    h('div.panel.callbar#callbar',
      h('div.stack', { style: 'gap:2px' }, h('span.faint', 'Caller'), h('span.caller', phone(c.from || o.customer_phone)),
        o.customer_name && h('span.muted', o.customer_name)),
      h('div.facts',
        fact('Store', v.merchant), fact('Order', `#${o.id}`), fact('Fulfillment', o.fulfillment === 'delivery' ? `Delivery · ${o.address || 'no address'}` : 'Pickup'),
        fact('Call', c.started_at ? `${clock(c.started_at)} · ${callLength(c)}` : '—'),
        fact('Verified', v.decision?.decided_at ? when(v.decision.decided_at) : '—')),
      h('span.chip.ok', statusLabel[o.status] || o.status)),
    h('div.panel.why#verified-note', { role: 'note', style: 'border-left-color:var(--info);background:var(--info-soft)' },
      h('div.why-title', { style: 'color:var(--info)' }, icon('check', 18), 'Verified by kea, without a person'),
      h('ul',
        h('li', { dataset: { rule: 'passed' } }, cap(inMoney(v.decision?.reason || 'kea verified it alone', o.currency))),
        h('li#already-sent', `Already sent to the kitchen; call the store at ${store} if it must change.`),
        (v.reports || []).map(r => h('li.report', { style: 'color:var(--bad)' },
          `${cap(r.reason)} (${String(r.agent_id) === String(session.info.agent_id) ? 'by you' : `agent ${r.agent_id}`}, ${when(r.at)})`)))),
    h('div.split', renderTranscript(c, v.menu), renderOrder(d, false, h('div.actions',
      h('button.btn.danger.big#report-mistake', { onclick: showReport, disabled: reported }, reported ? 'Mistake reported' : 'Report a mistake…'),
      h('div.grow'),
      h('span.faint', reported ? 'kea checks itself again for this store.' : 'A report makes kea check itself again for this store.')))));
}

function showReport() {
  const v = S.vDetail;
  if (!v || v.decision?.checked === 'reported') return;
  const store = v.store_phone ? phone(v.store_phone) : 'the store';
  const line = h('select#report-line', { 'aria-label': 'Which line' }, h('option', { value: '' }, 'The whole order'),
    v.order.lines.map(l => h('option', { value: l.line_no }, `Line ${l.line_no}: ${l.quantity}× ${l.name}`)));
  const text = h('textarea#report-reason', { rows: 3, required: true, placeholder: 'What was wrong? e.g. the caller asked for three.' });
  overlay(h('form.panel.dialog', { onsubmit: e => { e.preventDefault(); const r = text.value.trim(); if (r) reportMistake(line.value ? Number(line.value) : null, r); } },
    h('h2', `Report a mistake on order #${v.order.id}?`),
    h('p.muted', { style: 'margin:0' }, `kea verified this order alone. Your report is kept with the order, and ${v.merchant}'s auto-verify goes back to checking itself: its sure orders come to an agent again until it earns trust anew.`),
    line, text,
    h('p.muted', { style: 'margin:0' }, `It does not change the order: it was already sent to the kitchen. Call the store at ${store} if it must change.`),
    h('div.row', { style: 'justify-content:flex-end' },
      h('button.btn', { type: 'button', onclick: closeOverlay }, 'Cancel'),
      h('button.btn.danger#confirm-report', { type: 'submit' }, 'Report mistake'))));
}

const reportMistake = (lineNo, reason) => act('Report', async () => {
  const v = await rpc(session, 'report_autoverified_order', { order_id: S.vDetail.order.id, reason, line_no: lineNo });
  S.vDetail = v;
  S.verified = S.verified.map(x => x.order_id === v.order.id ? { ...x, reported: true } : x);
  closeOverlay();
  toast(`Mistake on order #${v.order.id} reported: kea checks itself again for ${v.merchant}.`, 'ok');
});

function itemName(menu, code) { return menu?.items?.find(i => i.code === code)?.name || code?.replace(/_/g, ' '); }

function renderTranscript(c, menu) {
  const turns = c.turns || [];
  return h('section.panel.transcript',
    h('header', h('h2', 'Call transcript'), h('span.faint', `${turns.filter(t => t.event === 'speech').length} caller turns`),
      h('div.grow'), c.outcome && h('span.chip', c.outcome)),
    h('div.body#transcript', turns.length ? turns.map(t => renderTurn(t, menu)) : h('div.empty', 'No turns recorded.')));
}

function renderTurn(t, menu) {
  const u = t.understood || {};
  const ex = u.extraction || {};
  const heard = t.event === 'speech'
    ? h('div.bubble.caller', h('div.who', 'Caller', t.confidence != null && t.confidence < 0.7 ? h('span.chip.warn', { style: 'margin-left:6px;height:18px' }, `heard ${Math.round(t.confidence * 100)}%`) : null), t.speech || '…')
    : t.event === 'digits' ? h('div.bubble.caller', h('div.who', 'Caller'), `pressed ${t.digits}`)
    : t.event === 'silence' ? h('div.event-note', '— silence —')
    : t.event === 'dial_result' ? h('div.event-note', '— transfer ended —') : null;
  const chips = [];
  for (const l of ex.lines || []) {
    const mods = (l.modifiers || []).map(m => (m.negated ? 'no ' : m.qualifier ? m.qualifier + ' ' : '') + (m.option || '').replace(/_/g, ' '));
    chips.push(h('span.chip.brand', { title: `confidence ${Math.round((l.confidence ?? 1) * 100)}%` },
      `${l.quantity || 1}× ${[l.variation?.replace(/_/g, ' '), itemName(menu, l.item)].filter(Boolean).join(' ')}${mods.length ? ' · ' + mods.join(', ') : ''}`));
  }
  for (const i of ex.intents || []) chips.push(h('span.chip.info', typeof i === 'string' ? i : (i.kind || i.intent || JSON.stringify(i))));
  for (const [k, v] of Object.entries(ex.details || {})) if (v) chips.push(h('span.chip', `${k}: ${typeof v === 'object' ? (v.text || JSON.stringify(v)) : v}`));
  for (const w of ex.unmatched || []) chips.push(h('span.chip.warn', { title: 'not understood' }, `? ${typeof w === 'string' ? w : w.text}`));
  const did = (u.did || []).filter(x => !/^added /.test(x));
  return h('div.turn', { dataset: { seq: t.seq } },
    heard,
    chips.length || did.length ? h('div.understood', chips, did.map(x => h('span.chip.did', x))) : null,
    t.said && h('div.bubble.kea', h('div.who', 'kea'), t.said));
}

/** How sure kea was of a line: the extraction's confidence for that item, times how well the
 *  words were heard, from the last turn that produced it. Null when no turn did (added later). */
function lineConfidence(line, turns) {
  let best = null;
  for (const t of turns || []) {
    for (const l of t.understood?.extraction?.lines || []) {
      if (l.item !== line.item_code) continue;
      const heard = t.confidence == null || t.confidence === 0 ? 1 : t.confidence;
      const confirmed = (t.understood.did || []).some(x => /confirmed/.test(x));
      best = { value: Math.min(l.confidence ?? 1, confirmed ? 1 : heard), text: l.span?.text, confirmed };
    }
  }
  return best;
}

function confBadge(conf) {
  if (!conf) return h('span.chip', { title: 'not from the call' }, 'added');
  const v = conf.value, cls = v >= 0.85 ? 'ok' : v >= 0.6 ? 'warn' : 'bad';
  return h('span.conf.' + cls, { title: `kea was ${Math.round(v * 100)}% sure${conf.confirmed ? ' (the caller confirmed it)' : ''}` },
    h('i', h('b', { style: `width:${Math.round(v * 100)}%` })), h('span.mono', `${Math.round(v * 100)}%`));
}

/** The order's lines beside the call. `offer`: not accepted yet (read-only); `verified`: an
 *  order kea verified alone (read-only, with its own actions). */
function renderOrder(d, offer, verified = null) {
  const o = d.task.order, menu = d.menu, turns = d.call?.turns;
  const editable = !offer && !verified;
  const flagged = whyByLine(d.call?.why);
  const rows = [];
  for (const l of o.lines) {
    const editing = S.draft?.line_no === l.line_no;
    const conf = lineConfidence(l, turns);
    const before = wasBefore(d, o, l);
    const edited = S.edited.has(`${o.id}:${l.line_no}`) || !!before;
    const why = flagged.get(l.line_no);
    rows.push(h('tr' + (editing ? '.editing' : '') + (why ? '.flagged' : ''), { dataset: { line: l.line_no } },
      h('td.num', { style: 'width:40px' }, `${l.quantity}×`),
      h('td', h('div.line-name', l.name, edited && h('span.chip.info', { style: 'margin-left:8px;height:18px' }, 'edited'),
        why && h('span.chip.warn.check-this', { title: why.map(w => w.text).join('\n') }, 'check this line')),
        h('div.line-details', lineDetails(l) || h('span.faint', 'no options')),
        conf?.text && h('div.heard', `heard “${conf.text}”`),
        before && h('div.heard', `was: ${before.quantity}× ${[before.name, lineDetails(before)].filter(Boolean).join(' · ')}`)),
      h('td', { style: 'width:92px' }, confBadge(conf)),
      h('td.num', money(l.line_total_cents, o.currency)),
      h('td', { style: 'width:118px;text-align:right' }, editable && !S.draft && h('div.row', { style: 'justify-content:flex-end;gap:4px' },
        h('button.btn.small', { onclick: () => openEditor(l), 'data-edit': l.line_no }, 'Edit'),
        h('button.btn.small.ghost', { title: 'Remove line', onclick: () => removeLine(l.line_no) }, '✕')))));
    if (editing) rows.push(h('tr.editing', h('td'), h('td', { colspan: 4 }, renderEditor(menu, o))));
  }
  const available = (menu?.items || []).filter(i => i.available !== false);
  const cats = [...new Set(available.map(i => i.category))];
  return h('section.panel#order',
    h('header', h('h2', 'Order'), h('span.faint', `#${o.id} · ${o.lines.length} line${o.lines.length === 1 ? '' : 's'}`), h('div.grow'),
      h('span.muted', { style: 'font-size:12px' }, 'Confidence: how sure kea was of each line')),
    h('table.lines', h('thead', h('tr', h('th.num', 'Qty'), h('th', 'Item'), h('th', 'Sure'), h('th.num', 'Price'), h('th'))), h('tbody', rows)),
    editable && !S.draft && h('div.row', { style: 'padding:12px 16px 0' },
      h('select#add-item', { 'aria-label': 'Add an item' }, h('option', { value: '' }, 'Add an item…'),
        cats.map(c => h('optgroup', { label: (menu.categories || []).find(x => x.code === c)?.name || c },
          available.filter(i => i.category === c).map(i => h('option', { value: i.code }, `${i.name} — ${money(minPrice(i), o.currency)}`))))),
      h('button.btn.small', { onclick: () => addLine(document.getElementById('add-item').value) }, 'Add')),
    h('div.totals#totals',
      h('span.muted', 'Subtotal'), h('span', money(o.subtotal_cents, o.currency)),
      h('span.muted', 'Tax'), h('span', money(o.tax_cents, o.currency)),
      h('span.grand', 'Total'), h('span.grand#total', money(o.total_cents, o.currency))),
    verified ? verified : h('div.actions',
      offer ? h('span.muted', 'Accept the offer to edit and approve this order.') : [
        h('button.btn.good.big#approve', { onclick: approve, disabled: !!S.draft }, 'Approve order', h('kbd', 'Enter')),
        h('button.btn.danger.big#reject-order', { onclick: showReject }, 'Reject…', h('kbd', 'R')),
        h('div.grow'),
        h('span.faint', 'Approving sends it to the POS'),
      ]));
}

/** The line as it was before the first edit (this session's, or an earlier one's from
 *  api.call_for_task), when it was changed. */
function wasBefore(d, o, l) {
  const mine = S.was.get(`${o.id}:${l.line_no}`);
  if (mine) return mine;
  const first = (d.call?.edits || []).find(e => e.line_no === l.line_no && e.action === 'edit');
  return first?.before || null;
}

function minPrice(i) {
  const vs = (i.variations || []).filter(v => v.available !== false);
  return vs.length ? Math.min(...vs.map(v => v.price_cents)) : i.price_cents;
}

function groupsOf(item) {
  return (item?.groups || []).map(code => S.detail.menu.groups.find(g => g.code === code)).filter(Boolean);
}

function renderEditor(menu, o) {
  const d = S.draft;
  const item = menu.items.find(i => i.code === d.item);
  const sizes = (item?.variations || []);
  const groups = groupsOf(item);
  const toggle = (g, opt) => {
    const key = `${g.code}:${opt.code}`;
    if (g.max === 1) {
      const had = d.mods.has(key);
      for (const k of [...d.mods.keys()]) if (k.startsWith(g.code + ':')) d.mods.delete(k);
      if (!had || g.min > 0) d.mods.set(key, { group: g.code, option: opt.code, qualifier: null, negated: false });
    } else if (d.mods.has(key)) d.mods.delete(key);
    else d.mods.set(key, { group: g.code, option: opt.code, qualifier: null, negated: false });
    render();
  };
  return h('div.editor#editor',
    h('div.row', { style: 'gap:18px;flex-wrap:wrap' },
      h('div.group', h('div.label', 'Quantity'), h('div.stepper',
        h('button', { type: 'button', 'aria-label': 'fewer', onclick: () => { d.quantity = Math.max(1, d.quantity - 1); render(); } }, '−'),
        h('span#qty', d.quantity),
        h('button', { type: 'button', 'aria-label': 'more', onclick: () => { d.quantity = Math.min(99, d.quantity + 1); render(); } }, '+'))),
      sizes.length > 0 && h('div.group', h('div.label', 'Size', h('span.req', 'required')), h('div.options#sizes',
        sizes.map(v => h('button.opt' + (d.variation === v.code ? '.on' : '') + (v.available === false ? '.out' : ''),
          { type: 'button', disabled: v.available === false, 'data-variation': v.code, onclick: () => { d.variation = v.code; render(); } },
          v.name, h('span.price', money(v.price_cents, o.currency))))))),
    groups.map(g => h('div.group', { dataset: { group: g.code } },
      h('div.label', g.name, g.min > 0 ? h('span.req', 'required') : h('span.faint', { style: 'margin-left:6px;font-weight:500' },
        g.max ? `up to ${g.max}` : 'any')),
      h('div.options', g.options.map(opt => {
        const m = d.mods.get(`${g.code}:${opt.code}`);
        const out = opt.available === false;
        // Nothing chosen in the group: the menu's default is what the kitchen will make.
        const implied = !m && opt.default && ![...d.mods.values()].some(x => x.group === g.code);
        const mode = m ? (m.negated ? 'no' : m.qualifier || '') : null;
        return h('span.opt' + (m ? (m.negated ? '.neg' : '.on') : '') + (implied ? '.implied' : '') + (out ? '.out' : ''),
          { role: 'button', tabindex: out ? -1 : 0, 'data-option': opt.code, title: out ? 'sold out' : implied ? 'the default when nothing is chosen' : '',
            onclick: e => { if (!out && e.target.tagName !== 'SELECT') toggle(g, opt); } },
          opt.name, opt.price_cents ? h('span.price', '+' + money(opt.price_cents, o.currency)) : null,
          implied && h('span.price', 'default'),
          m && (g.qualified || g.negatable) && h('select', {
            'aria-label': `${opt.name} amount`, onchange: e => {
              const v = e.target.value;
              m.negated = v === 'no'; m.qualifier = v && v !== 'no' ? v : null; render();
            } },
            h('option', { value: '', selected: mode === '' }, 'regular'),
            g.qualified && ['extra', 'light', 'double'].map(q => h('option', { value: q, selected: mode === q }, q)),
            g.negatable && h('option', { value: 'no', selected: mode === 'no' }, 'no')));
      })))),
    h('div.row',
      h('button.btn.primary.small#save-line', { onclick: saveDraft }, 'Save line'),
      h('button.btn.small', { onclick: () => { S.draft = null; render(); } }, 'Cancel'),
      h('span.faint', 'Prices come from the menu; the total updates when you save.')));
}

// ---------------------------------------------------------------------------------------------
// Overlays: reject with a reason, keyboard help

function overlay(content) {
  closeOverlay();
  const o = h('div.overlay#overlay', { onclick: e => { if (e.target.id === 'overlay') closeOverlay(); } }, content);
  document.body.append(o);
  o.querySelector('textarea, input, button')?.focus();
}
function closeOverlay() { document.getElementById('overlay')?.remove(); }

function showReject() {
  if (!inVerification()) return;
  const reasons = ['Caller hung up before confirming', 'Prank or test call', 'Duplicate of another order', 'The store cannot make it'];
  let chosen = '';
  const text = h('textarea#reject-reason', { rows: 3, placeholder: 'Why? The caller is told by text.' });
  overlay(h('form.panel.dialog', { onsubmit: e => { e.preventDefault(); const r = text.value.trim() || chosen; if (r) rejectOrder(r); } },
    h('h2', `Reject order #${S.detail.task.order.id}?`),
    h('div.options', reasons.map(r => h('button.opt', { type: 'button', onclick: e => {
      chosen = r; text.value = r;
      for (const b of e.target.parentNode.children) b.classList.toggle('on', b === e.target);
    } }, r))),
    text,
    h('div.row', { style: 'justify-content:flex-end' },
      h('button.btn', { type: 'button', onclick: closeOverlay }, 'Cancel'),
      h('button.btn.danger#confirm-reject', { type: 'submit' }, 'Reject order'))));
}

function showHelp() {
  const keys = [['A', 'Accept the offer'], ['R', 'Pass on the offer, or reject the order being checked'], ['Enter', 'Approve the order'],
    ['E', 'Edit the least certain line'], ['J / K', 'Next / previous task'], ['1 · 2 · 3', 'Available · Break · Offline'],
    ['M', 'Sound on / off'], ['Esc', 'Close the editor or a dialog'], ['?', 'This help']];
  overlay(h('div.panel.dialog', h('h2', 'Keyboard shortcuts'),
    h('div.shortcuts', keys.map(([k, v]) => [h('span', k.split(' ').map(x => /^[·/]$/.test(x) ? ` ${x} ` : h('kbd', x))), h('span', v)])),
    h('div.row', { style: 'justify-content:flex-end' }, h('button.btn', { onclick: closeOverlay }, 'Close'))));
}

document.addEventListener('keydown', e => {
  if (!session.token) return;
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
  if (e.key === 'Escape') { if (document.getElementById('overlay')) closeOverlay(); else if (S.draft) { S.draft = null; render(); } return; }
  if (typing || e.ctrlKey || e.metaKey || e.altKey || document.getElementById('overlay')) return;
  // Verified by kea: the task keys would act on a task not on screen.
  if (S.view === 'verified' && !/^[123mM?]$/.test(e.key)) return;
  const tasks = visibleTasks();
  const i = tasks.findIndex(t => t.task_id === S.selected);
  switch (e.key) {
    case 'a': case 'A': accept(); break;
    case 'r': case 'R': if (inVerification()) showReject(); else rejectOffer(); break;
    case 'Enter': if (inVerification() && !S.draft && e.target.tagName !== 'BUTTON') { e.preventDefault(); approve(); } break;
    case 'e': case 'E': if (inVerification() && !S.draft) {
      const lines = S.detail.task.order.lines;
      const worst = [...lines].sort((a, b) => (lineConfidence(a, S.detail.call?.turns)?.value ?? 1) - (lineConfidence(b, S.detail.call?.turns)?.value ?? 1))[0];
      if (worst) openEditor(worst);
    } break;
    case 'j': case 'ArrowDown': if (tasks.length) select(tasks[Math.min(tasks.length - 1, i + 1)].task_id); break;
    case 'k': case 'ArrowUp': if (tasks.length) select(tasks[Math.max(0, i - 1)].task_id); break;
    case '1': setActivity('available'); break;
    case '2': setActivity('break'); break;
    case '3': setActivity('offline'); break;
    case 'm': case 'M': toggleSound(); break;
    case '?': showHelp(); break;
    default: return;
  }
});
document.addEventListener('pointerdown', unlockAudio, { once: true });

// Polling stays the truth: a missed event is corrected within 15 s.
setInterval(() => {
  if (!session.token) return;
  refresh();
  // The first page of orders kea verified, unless the agent went on to older ones.
  if (S.view === 'verified' && S.verified.length <= VERIFIED_PAGE) loadVerified();
}, 15000);
setInterval(tick, 250);

if (session.token && session.secondsLeft() > 0) start(); else { session.clear(); renderSignin(); }
