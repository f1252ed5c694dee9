// The merchant page (docs/console.md): today's phone orders as they come in and their way
// through verification and the POS, sold-out switches, opening hours, transfer number and
// greeting, whether the greeting offers a returning caller their last order, and each call's
// transcript; what kea is learning and the auto-verify policy
// (learning.js). Through /rpc as kea_merchant (sql/api/merchant.sql); live from /events, with a
// poll every 5 s as the truth.
import { Session, rpc, liveEvents, h, icon, money, phone, clock, toast, lineDetails, statusLabel } from '/web/kea.js';
import { learningPanel, autoverifyPanel } from '/merchant/learning.js';

const session = new Session('kea.merchant');
const S = { settings: null, orders: [], menu: null, calls: [], tab: 'menu', open: new Set(), seen: null, live: 'connecting', hoursDraft: null };
const app = document.getElementById('app');
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
let stream = null;

// Tokens come from the sign-in form only (signIn below). A token in a link (#token=...) would
// sign the browser into whatever merchant the link's author chose (login CSRF): it is ignored
// and dropped from the address bar (docs/security.md, "Pages").
if (location.hash) history.replaceState(null, '', location.pathname);

function renderSignin(message = '') {
  app.replaceChildren(h('div.signin',
    h('form.panel', { onsubmit: signIn },
      h('div.brand', h('img', { src: '/web/kea.svg', alt: '' }), 'kea', h('small', 'for restaurants')),
      h('p.muted', { style: 'margin:0' }, 'Your phone orders, menu and hours.'),
      h('label.field', 'Email', h('input#email', { type: 'email', autocomplete: 'username', required: true, autofocus: true })),
      h('label.field', 'Password', h('input#password', { type: 'password', autocomplete: 'current-password', required: true })),
      h('div.error#signin-error', message),
      h('button.btn.primary.big', { type: 'submit' }, 'Sign in'))));
}

async function signIn(e) {
  e.preventDefault();
  try {
    const r = await rpc(null, 'login', { email: document.getElementById('email').value, password: document.getElementById('password').value });
    if (r.role !== 'kea_merchant') throw new Error('this account is not a restaurant account: agents use /console');
    session.save(r.token, { name: r.name });
    start();
  } catch (err) {
    document.getElementById('signin-error').textContent = err.code === 'KA401' ? 'Wrong email or password.' : err.message;
  }
}

function signOut(message) { stream?.close(); session.clear(); renderSignin(message); }

async function start() {
  try {
    const [settings, menu] = await Promise.all([rpc(session, 'merchant_settings'), rpc(session, 'merchant_menu')]);
    S.settings = settings; S.menu = menu;
  } catch (err) {
    return signOut(err.status === 401 || err.status === 403 ? 'Sign in again.' : err.message);
  }
  await loadOrders();
  render();
  stream = liveEvents(session, ev => {
    if (ev.event === 'unauthorized' || ev.event === 'expired') return signOut('Your session ended: sign in again.');
    loadOrders().then(renderLeft);
  }, st => { S.live = st; const c = document.getElementById('live'); if (c) c.replaceWith(liveChip()); });
}

async function loadOrders() {
  try {
    const [orders, calls] = await Promise.all([rpc(session, 'merchant_orders_today'), rpc(session, 'merchant_calls')]);
    const before = S.seen;
    S.seen = new Set(orders.map(o => o.id));
    S.fresh = before ? new Set(orders.filter(o => !before.has(o.id)).map(o => o.id)) : new Set();
    if (S.fresh.size && before) toast(`New phone order #${[...S.fresh][0]}`, 'ok');
    S.orders = orders; S.calls = calls;
  } catch (err) {
    if (err.status === 401) return signOut('Your session ended: sign in again.');
    toast(err.message, 'bad');
  }
}

// ---------------------------------------------------------------------------------------------

function liveChip() {
  return h('span.chip#live', h('span.dot.' + S.live), { live: 'Live', connecting: 'Connecting…', offline: 'Reconnecting…' }[S.live]);
}

function render() {
  if (!session.token) return renderSignin();
  const st = S.settings;
  const scrollers = [...document.querySelectorAll('.menu-list')].map(n => n.scrollTop);
  app.replaceChildren(
    h('header.topbar',
      h('div.brand', h('img', { src: '/web/kea.svg', alt: '' }), st.name, h('small', 'phone orders by kea')),
      h('span.chip' + (st.open_now ? '.ok' : '.warn'), st.open_now ? 'Open now' : 'Closed now'),
      liveChip(),
      h('div.grow'),
      h('span.muted', icon('phone', 14), ' ', st.phone_numbers.map(phone).join(', ')),
      session.info.name && h('div.who', h('div.avatar', session.info.name.split(/\s+/).map(w => w[0]).join('').slice(0, 2).toUpperCase()), h('span', session.info.name)),
      h('button.btn.small', { onclick: () => signOut() }, 'Sign out')),
    h('div.merchant', h('div.stack#left', { style: 'gap:16px' }, renderKpis(), renderOrders()), renderSide()));
  document.querySelectorAll('.menu-list').forEach((n, i) => { n.scrollTop = scrollers[i] || 0; });
}

/** Only the orders side: the poll must not wipe what is being typed in the settings. */
function renderLeft() {
  const left = document.getElementById('left');
  if (!left) return render();
  left.replaceChildren(renderKpis(), renderOrders());
}

function renderKpis() {
  const live = S.orders.filter(o => !['abandoned', 'rejected', 'cancelled'].includes(o.status));
  const revenue = live.reduce((n, o) => n + o.total_cents, 0);
  const checking = S.orders.filter(o => ['pending_verification', 'in_verification'].includes(o.status)).length;
  const kitchen = S.orders.filter(o => ['verified', 'sent_to_pos', 'accepted_by_pos', 'completed'].includes(o.status)).length;
  const ordered = S.calls.filter(c => c.outcome === 'ordered').length;
  const kpi = (label, value, note) => h('div.panel.kpi', h('h3', label), h('div.v', value), note && h('div.faint', note));
  return h('div.kpis',
    kpi('Orders today', String(live.length), `${S.orders.length - live.length} not placed`),
    kpi('Sales today', money(revenue), live.length ? `avg ${money(Math.round(revenue / live.length))}` : 'no orders yet'),
    kpi('Being checked', String(checking), 'by kea’s call centre'),
    kpi('Calls today', String(S.calls.length), S.calls.length ? `${Math.round(100 * ordered / S.calls.length)}% ordered` : ''));
}

/** Where an order is on its way: checked, sent, in the kitchen, done. */
function steps(o) {
  const order = ['pending_verification', 'in_verification', 'verified', 'sent_to_pos', 'accepted_by_pos', 'completed'];
  const at = order.indexOf(o.status);
  const bad = ['failed', 'rejected', 'cancelled', 'abandoned'].includes(o.status);
  return h('span.steps', { title: statusLabel[o.status] }, [1, 2, 4, 5].map(n => h('i' + (bad ? '.fail' : at >= n ? '.done' : ''))));
}

function statusChip(o) {
  const cls = { pending_verification: 'warn', in_verification: 'info', verified: 'brand', sent_to_pos: 'brand', accepted_by_pos: 'ok', completed: 'ok', failed: 'bad', rejected: 'bad', cancelled: 'bad', abandoned: '' }[o.status] ?? '';
  return h('span.chip' + (cls ? '.' + cls : ''), statusLabel[o.status] || o.status);
}

function renderOrders() {
  const rows = [];
  for (const o of S.orders) {
    const items = o.lines.map(l => `${l.quantity}× ${l.variation_name && !/^(can|regular)$/i.test(l.variation_name) ? l.variation_name + ' ' : ''}${l.name}`).join(', ');
    const open = S.open.has(o.id);
    rows.push(h('div.order-row' + (S.fresh?.has(o.id) ? '.fresh' : ''), { dataset: { order: o.id }, onclick: () => { open ? S.open.delete(o.id) : S.open.add(o.id); renderLeft(); } },
      h('div', h('div', { style: 'font-weight:650' }, clock(o.created_at)), h('div.faint', `#${o.id}`)),
      h('div', { style: 'min-width:0' }, h('div', { style: 'font-weight:600' }, `${o.customer_name || phone(o.customer_phone || o.from)} · ${o.fulfillment === 'delivery' ? 'Delivery' : 'Pickup'}`),
        h('div.muted', { style: 'white-space:nowrap;overflow:hidden;text-overflow:ellipsis' }, items || 'no items')),
      h('div.stack', { style: 'gap:5px' }, statusChip(o), steps(o)),
      h('div', { style: 'text-align:right;font-weight:700;font-variant-numeric:tabular-nums' }, money(o.total_cents, o.currency)),
      h('div.faint', open ? '▾' : '▸')));
    if (open) rows.push(renderOrderMore(o));
  }
  return h('section.panel.orders',
    h('header', h('h2', 'Today’s orders'), h('span.faint', 'newest first · updates live'), h('div.grow'),
      h('button.btn.small.ghost', { onclick: () => loadOrders().then(renderLeft) }, 'Refresh')),
    rows.length ? rows : h('div.empty', h('div.big', icon('clock', 36)), 'No phone orders yet today.'));
}

function renderOrderMore(o) {
  const call = S.calls.find(c => c.call_sid === o.call_sid);
  return h('div.order-more',
    h('div.stack',
      h('h3', 'Order'),
      o.lines.map(l => h('div.row', h('span', { style: 'width:28px' }, `${l.quantity}×`),
        h('div.grow', h('div', { style: 'font-weight:600' }, l.name), h('div.line-details', lineDetails(l))), h('span', money(l.line_total_cents, o.currency)))),
      h('div.row', h('span.grow.muted', 'Tax'), h('span', money(o.tax_cents, o.currency))),
      h('div.row', h('span.grow', { style: 'font-weight:700' }, 'Total'), h('span', { style: 'font-weight:700' }, money(o.total_cents, o.currency))),
      o.pos_order_id && h('div.muted', `POS order ${o.pos_order_id}${o.ready_at ? ` · ready ${clock(o.ready_at)}` : ''}`),
      h('h3', { style: 'margin-top:8px' }, 'Its way'),
      (o.history || []).map(x => h('div.row', h('span.faint', { style: 'width:70px;flex:none' }, clock(x.at)), h('span', { style: 'white-space:nowrap' }, statusLabel[x.to] || x.to),
        h('span.faint', `by ${x.actor}${x.reason ? ` · ${x.reason}` : ''}`)))),
    h('div.stack', h('h3', 'Call'), call ? transcript(call) : h('span.faint', 'No call recorded.')));
}

function transcript(c) {
  return h('div.mini-transcript', h('div.faint', `${phone(c.from)} · ${clock(c.started_at)} · ${c.outcome || c.status}`),
    c.turns.flatMap(t => [t.speech && h('div.c', h('b', 'Caller: '), t.speech), t.said && h('div.k', h('b', 'kea: '), t.said)]));
}

function renderSide() {
  const tabs = [['menu', 'Sold out'], ['settings', 'Hours & settings'], ['calls', 'Calls'], ['learning', 'Learning'], ['autoverify', 'Auto-verify']];
  return h('aside.panel',
    h('div.tabs', tabs.map(([k, label]) => h('button', { class: S.tab === k ? 'on' : '', dataset: { tab: k }, onclick: () => { S.tab = k; render(); } }, label))),
    S.tab === 'menu' ? renderMenu() : S.tab === 'settings' ? renderSettings() : S.tab === 'calls' ? renderCalls()
      : S.tab === 'learning' ? learningPanel(session) : autoverifyPanel(session));
}

async function setAvailable(args, label) {
  try {
    await rpc(session, 'set_option_available', args);
    S.menu = await rpc(session, 'merchant_menu');
    render();
    toast(`${label} ${args.available ? 'is back' : 'is sold out'}: callers hear it from the next turn.`, args.available ? 'ok' : 'info');
  } catch (err) { toast(err.message, 'bad'); }
}

function renderMenu() {
  const m = S.menu;
  const list = [];
  for (const cat of m.categories) {
    const items = m.items.filter(i => i.category === cat.code);
    if (!items.length) continue;
    list.push(h('div.menu-cat', cat.name));
    for (const i of items) {
      list.push(h('div.menu-item' + (i.available === false ? '.out' : ''),
        h('span.name.grow', i.name), i.available === false && h('span.chip.bad', 'Sold out'),
        h('button.switch' + (i.available !== false ? '.on' : ''), { 'aria-label': `${i.name} available`, dataset: { itemSwitch: i.code },
          onclick: () => setAvailable({ kind: 'item', code: i.code, available: i.available === false }, i.name) })));
    }
  }
  for (const g of m.groups) {
    list.push(h('div.menu-cat', `${g.name} (options)`));
    for (const o of g.options) {
      list.push(h('div.menu-item' + (o.available === false ? '.out' : ''),
        h('span.name.grow', o.name), o.available === false && h('span.chip.bad', 'Sold out'),
        h('button.switch' + (o.available !== false ? '.on' : ''), { 'aria-label': `${o.name} available`, dataset: { optionSwitch: `${g.code}:${o.code}` },
          onclick: () => setAvailable({ kind: 'option', group_code: g.code, code: o.code, available: o.available === false }, o.name) })));
    }
  }
  const outItems = m.items.filter(i => i.available === false).map(i => ({ name: i.name, args: { kind: 'item', code: i.code } }));
  const outOptions = m.groups.flatMap(g => g.options.filter(o => o.available === false).map(o => ({ name: o.name, args: { kind: 'option', group_code: g.code, code: o.code } })));
  const out = [...outItems, ...outOptions];
  return h('div', h('div.row', { style: 'padding:12px 16px' }, h('span.muted.grow', 'Switch off what you run out of: kea stops offering it.'), h('span.chip' + (out.length ? '.bad' : '.ok'), out.length ? `${out.length} sold out` : 'all available')),
    out.length > 0 && h('div.soldout', h('span.faint', 'Sold out now:'), out.map(x => h('button.opt.neg', { title: 'Back in stock', onclick: () => setAvailable({ ...x.args, available: true }, x.name) }, x.name, h('span', { style: 'text-decoration:none' }, ' ↺')))),
    h('div.menu-list', list));
}

function renderSettings() {
  const st = S.settings;
  const byDay = DAYS.map((_, d) => st.hours.find(x => x.weekday === d));
  return h('form.body.stack', { style: 'gap:14px', onsubmit: saveSettings },
    h('label.field', 'Greeting', h('textarea#greeting', { rows: 2, maxlength: 300, placeholder: `Thanks for calling ${st.name}!` }, st.greeting || ''),
      h('span.faint', { style: 'font-weight:400' }, 'The first thing callers hear. Empty: “Thanks for calling ' + st.name + '!”')),
    h('label.field', 'Transfer number', h('input#transfer', { type: 'tel', value: st.transfer_number || '', placeholder: '+12125550199' }),
      h('span.faint', { style: 'font-weight:400' }, 'Where kea sends a caller who asks for a person.')),
    h('label.row', { style: 'gap:8px;align-items:flex-start' }, h('input#offers-usual', { type: 'checkbox', checked: !!st.offers_usual }),
      h('span', h('span', { style: 'font-weight:550;font-size:13px' }, 'Offer returning callers their last order'),
        h('span.faint', { style: 'display:block;font-weight:400' }, '“Welcome back! Would you like the same as last time?” Callers can always ask for it.'))),
    h('div.field', h('span', { style: 'font-weight:550;font-size:13px' }, 'Opening hours'),
      h('div.hours', byDay.map((x, d) => h('div', { style: 'display:contents', dataset: { hoursDay: d } },
        h('span', DAYS[d]),
        h('input', { type: 'time', name: 'opens', value: x?.opens || '', 'aria-label': `${DAYS[d]} opens` }),
        h('input', { type: 'time', name: 'closes', value: x?.closes === '24:00' ? '23:59' : (x?.closes || ''), 'aria-label': `${DAYS[d]} closes` }),
        h('span.faint', { title: 'Leave both empty for closed' }, x ? '' : '—')))),
      h('span.faint', { style: 'font-weight:400' }, `Now: ${st.hours_text || 'no hours'} Leave a day empty when closed.`)),
    h('div.row', h('button.btn.primary#save-settings', { type: 'submit' }, 'Save changes'), h('span.faint', 'Applies from the next call.')));
}

async function saveSettings(e) {
  e.preventDefault();
  const hours = [];
  for (const row of document.querySelectorAll('[data-hours-day]')) {
    const opens = row.querySelector('[name=opens]').value, closes = row.querySelector('[name=closes]').value;
    if (opens && closes) hours.push({ weekday: Number(row.dataset.hoursDay), opens, closes: closes === '23:59' && opens === '00:00' ? '24:00' : closes });
  }
  try {
    await rpc(session, 'update_settings', { transfer_number: document.getElementById('transfer').value, greeting: document.getElementById('greeting').value });
    await rpc(session, 'set_offers_usual', { offers_usual: document.getElementById('offers-usual').checked });
    S.settings = await rpc(session, 'set_hours', { hours });
    render();
    toast('Saved: callers hear it from the next call.', 'ok');
  } catch (err) { toast(err.message, 'bad'); }
}

function renderCalls() {
  return h('div.calls', { style: 'max-height:640px;overflow:auto' }, S.calls.length ? S.calls.map(c => h('div.call',
    h('div.row', h('span', { style: 'font-weight:650' }, phone(c.from)), h('span.faint', clock(c.started_at)), h('div.grow'),
      h('span.chip' + (c.outcome === 'ordered' ? '.ok' : c.outcome === 'transferred' ? '.info' : ''), c.outcome || c.status)),
    c.order_id && h('div.muted', `Order #${c.order_id} · ${statusLabel[c.order_status] || c.order_status || ''} · ${money(c.total_cents)}`),
    h('details', h('summary.faint', { style: 'cursor:pointer;margin-top:6px' }, `Transcript (${c.turns.length} turns)`), transcript(c))))
    : h('div.empty', 'No calls yet today.'));
}

setInterval(() => { if (session.token && S.settings) loadOrders().then(renderLeft); }, 5000);
if (session.token && session.secondsLeft() > 0) start(); else { session.clear(); renderSignin(); }
