// The merchant page's closed-loop tabs (docs/closed-loop.md): "kea is learning", the phrases kea
// learnt from the corrections agents approved (accept, reject, see the calls they came from, and
// after how many corrections kea takes one by itself); and the auto-verify policy (off by
// default). Through /rpc as kea_merchant (sql/api/learning.sql, sql/api/autoverify.sql). Each
// panel loads its own data and redraws itself in place.
import { rpc, h, clock, money, toast } from '/web/kea.js';

const KIND = { item: 'item', variation: 'size', option: 'option' };
const STATUS = { candidate: ['warn', 'Learning'], active: ['ok', 'In use'], rejected: ['bad', 'Rejected'] };

/** The "kea is learning" panel. */
export function learningPanel(session) {
  const root = h('div.body.stack#learning', { style: 'gap:12px' }, h('span.faint', 'Loading…'));
  const open = new Set();
  let data = null;

  async function load() {
    try {
      data = await rpc(session, 'learned_phrases');
      draw();
    } catch (err) { toast(err.message, 'bad'); }
  }

  async function decide(p, fn, done) {
    try {
      await rpc(session, fn, { phrase_id: p.id });
      toast(`"${p.phrase}" ${done}`, fn === 'accept_phrase' ? 'ok' : 'info');
      await load();
    } catch (err) {
      toast(err.code === 'KL409' ? `Not taken: ${err.message}.` : err.message, 'bad');
    }
  }

  async function saveConfirmations(e) {
    e.preventDefault();
    try {
      data = await rpc(session, 'set_phrase_confirmations', { confirmations: Number(root.querySelector('#confirmations').value) });
      toast('Saved: kea takes a phrase by itself after that many corrections.', 'ok');
      draw();
    } catch (err) { toast(err.message, 'bad'); }
  }

  function phraseRow(p) {
    const [cls, label] = STATUS[p.status] || ['', p.status];
    const shown = open.has(p.id);
    return h('div.call', { dataset: { phrase: p.phrase, status: p.status } },
      h('div.row',
        h('span.mono', { style: 'font-weight:650' }, `“${p.phrase}”`), h('span.faint', '→'),
        h('span.grow', p.target_name || `${KIND[p.target_kind]} ${p.code}`, h('span.faint', ` · ${KIND[p.target_kind]}`)),
        h('span.chip.' + cls, label)),
      h('div.row',
        h('span.faint.grow', `${p.times_seen} correction${p.times_seen === 1 ? '' : 's'} · last ${clock(p.last_seen_at)}`
          + (p.decided_by ? ` · ${p.decided_by === 'kea' ? 'taken by kea' : 'your choice'}` : '')),
        p.status !== 'active' && h('button.btn.small.good', { dataset: { accept: p.phrase }, onclick: () => decide(p, 'accept_phrase', 'is in use from the next call') }, 'Accept'),
        p.status !== 'rejected' && h('button.btn.small.danger', { dataset: { reject: p.phrase }, onclick: () => decide(p, 'reject_phrase', 'will not be used') }, 'Reject'),
        h('button.btn.small.ghost', { dataset: { calls: p.phrase }, onclick: () => { shown ? open.delete(p.id) : open.add(p.id); draw(); } }, shown ? 'Hide calls' : `Calls (${p.sources.length})`)),
      p.conflict && h('div.faint', `Waits for you: ${p.conflict}.`),
      shown && h('div.mini-transcript', p.sources.length ? p.sources.map(s => h('div.c', { dataset: { source: s.call_sid || '' } },
        h('b', `${clock(s.at)} · order #${s.order_id}: `), `“${s.speech || '…'}”`)) : h('span.faint', 'No calls kept.')));
  }

  function draw() {
    const phrases = data.phrases || [];
    root.replaceChildren(
      h('div.muted', 'When a call agent corrects an order, kea notes the words the caller used for what the agent put in. '
        + 'A phrase is used on calls once you accept it, or by itself after the number of corrections below. '
        + 'Your menu’s own names always come first.'),
      h('form.row', { onsubmit: saveConfirmations },
        h('label.row.grow', { style: 'gap:8px' }, 'Take a phrase by itself after',
          h('input#confirmations', { type: 'number', min: 1, max: 100, value: data.confirmations, style: 'width:64px' }), 'corrections'),
        h('button.btn.small#save-confirmations', { type: 'submit' }, 'Save')),
      phrases.length ? h('div.calls#phrases', phrases.map(phraseRow))
        : h('div.empty', 'Nothing learnt yet: phrases appear here after agents correct orders.'));
  }

  load();
  return root;
}

/** The auto-verify settings. */
export function autoverifyPanel(session) {
  const root = h('form.body.stack#autoverify', { style: 'gap:14px' }, h('span.faint', 'Loading…'));
  let policy = null;

  async function load() {
    try {
      policy = await rpc(session, 'autoverify_policy');
      draw();
    } catch (err) { toast(err.message, 'bad'); }
  }

  async function save(e) {
    e.preventDefault();
    const cap = root.querySelector('#av-cap').value.trim();
    try {
      policy = await rpc(session, 'set_autoverify_policy', {
        enabled: root.querySelector('#av-enabled').classList.contains('on'),
        min_confidence: Number(root.querySelector('#av-confidence').value) / 100,
        max_total_cents: cap === '' ? null : Math.round(Number(cap) * 100),
        returning_only: root.querySelector('#av-returning').checked,
        sample_one_in: Number(root.querySelector('#av-sample').value),
        min_shadow_orders: Number(root.querySelector('#av-shadow').value),
      });
      toast(policy.state === 'live' ? 'Saved: sure orders go to your kitchen without waiting for a person.'
        : policy.state === 'shadow' ? `Saved: a person still checks every order until ${policy.min_shadow_orders} sure ones in a row were right.`
        : 'Saved: every order is checked by a person.', 'ok');
      draw();
    } catch (err) { toast(err.message, 'bad'); }
  }

  // Where the policy stands (docs/closed-loop.md, "Earned trust"): off, learning (shadow: kea
  // only says what it would do, and counts the sure orders your agents found right) or on (live).
  function trust(p) {
    const [cls, label, text] = p.state === 'live'
      ? ['ok', 'On', `Sure orders go straight to your kitchen: the last ${p.min_shadow_orders} sure orders a person checked were all right (${p.checked_unchanged} in a row).`]
      : p.state === 'shadow'
        ? ['warn', 'Checking itself', `A person still checks every order. Sure orders found right in a row: ${p.checked_unchanged} of ${p.min_shadow_orders}.`]
        : ['', 'Off', 'Every order is checked by a person.'];
    return h('div.stack#av-trust', { style: 'gap:4px', dataset: { state: p.state } },
      h('div.row', h('span.chip' + (cls ? '.' + cls : '') + '#av-state', label), h('span.grow#av-count', text)),
      p.trust_lost_at && h('span.faint#av-lost', `Last fell back ${clock(p.trust_lost_at)}: ${p.trust_lost_reason}`));
  }

  function draw() {
    const p = policy;
    const hint = text => h('span.faint', { style: 'font-weight:400' }, text);
    root.onsubmit = save;
    root.replaceChildren(
      trust(p),
      h('div.row',
        h('span.grow', { style: 'font-weight:650' }, 'Verify sure orders without a person'),
        h('button.switch#av-enabled' + (p.enabled ? '.on' : ''), { type: 'button', 'aria-label': 'Auto-verify on',
          onclick: e => e.currentTarget.classList.toggle('on') })),
      hint('Off by default. An order goes straight to your kitchen only when kea was sure of every line, nothing had to be repaired or asked twice, '
        + 'and the caller confirmed the read-back. Every other order is checked by a person, as now.'),
      h('label.field', 'Least confidence per line (%)', h('input#av-confidence', { type: 'number', min: 50, max: 100, step: 1, value: Math.round(p.min_confidence * 100) }),
        hint('90 by default. On test menus kea was not tuned on, 6 to 9 in 10 of the orders it let through were right: that is why it first checks itself on your orders (below).')),
      h('label.field', 'Largest order total ($)', h('input#av-cap', { type: 'number', min: 0, step: '0.01', value: p.max_total_cents == null ? '' : (p.max_total_cents / 100).toFixed(2), placeholder: 'no limit' }),
        hint(p.max_total_cents == null ? 'No limit.' : `Orders over ${money(p.max_total_cents)} are checked by a person.`)),
      h('label.row', { style: 'gap:8px' }, h('input#av-returning', { type: 'checkbox', checked: p.returning_only }), 'Only callers who ordered from you before'),
      h('label.field', 'Still send 1 in N sure orders to a person', h('input#av-sample', { type: 'number', min: 0, max: 10000, value: p.sample_one_in }),
        hint('So kea’s precision stays measured. 0: never; 1: every order (kea only says what it would have done).')),
      h('label.field', 'Sure orders a person must find right, in a row, before kea verifies by itself', h('input#av-shadow', { type: 'number', min: 0, max: 100000, value: p.min_shadow_orders }),
        hint('Until then a person checks every order and kea only notes what it would have done. 600 right in a row shows kea is right at least 99.5% of the time on your orders; '
          + 'the first sure order a person has to correct puts kea back to checking itself. Turning this on or changing the rules above starts the count again.')),
      h('div.row', h('button.btn.primary#save-autoverify', { type: 'submit' }, 'Save'),
        h('span.faint', `${p.passed} order${p.passed === 1 ? '' : 's'} passed so far${p.updated_at ? ` · changed ${clock(p.updated_at)}` : ''}`)));
  }

  load();
  return root;
}
