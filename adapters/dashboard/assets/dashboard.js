/* global document, window, fetch, sessionStorage, uPlot, URLSearchParams, FormData -- the operator dashboard, a browser page */
// Every figure comes from the admin routes (guarded by the host's authorizeAdmin): this page holds
// no data of its own. Money stays exact: decimal strings are summed as BigInt minor units.
(function dashboard() {
  'use strict';
  const API = document.querySelector('meta[name="clickcredit-api"]').content.replace(/\/+$/, '');
  const DECISIONS = ['credited', 'held', 'recorded_pending', 'rejected', 'reversed', 'cancelled', 'pre_reversed', 'netted', 'duplicate',
    'unknown_click', 'expired', 'conflict', 'offer_mismatch', 'too_soon', 'too_late', 'invalid_input', 'invalid_amount', 'forbidden'];
  const GOOD = new Set(['credited', 'duplicate', 'netted']);
  const WAIT = new Set(['held', 'recorded_pending']);
  const $ = (id) => document.getElementById(id);
  function el(tag, props, ...children) {
    const { dataset, ...rest } = props || {};
    const node = Object.assign(document.createElement(tag), rest);
    if (dataset) Object.assign(node.dataset, dataset);
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }
  const td = (text, className) => el('td', { textContent: text === null || text === undefined ? '—' : String(text), className: className || '' });
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
  const pill = (decision) => el('span', { className: `pill ${GOOD.has(decision) ? 'good' : WAIT.has(decision) ? 'wait' : 'bad'}`, textContent: decision });

  // --- exact money -----------------------------------------------------------------------------
  function toMinor(text) {
    const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
    if (!match) return 0n;
    const minor = BigInt(match[2] + (match[3] || '').padEnd(2, '0').slice(0, 2));
    return match[1] === '-' ? -minor : minor;
  }
  function formatMinor(minor) {
    const negative = minor < 0n;
    const digits = (negative ? -minor : minor).toString().padStart(3, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }

  // --- API -------------------------------------------------------------------------------------
  let token = sessionStorage.getItem('clickcredit-admin-token') || '';
  $('token').value = token;
  function notice(text, kind) {
    const box = $('notice');
    box.hidden = !text;
    box.textContent = text || '';
    box.className = `notice ${kind || ''}`;
  }
  async function api(method, path, query, body) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) if (value !== '' && value !== undefined && value !== null) search.set(key, String(value));
    const url = `${API}${path}${search.toString() ? `?${search}` : ''}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const envelope = await response.json().catch(() => null);
    if (envelope && envelope.success) return envelope.data;
    const error = new Error(envelope ? envelope.message : `HTTP ${response.status}`);
    error.code = envelope && envelope.error ? envelope.error.code : 'HTTP_ERROR';
    error.status = response.status;
    throw error;
  }
  const failed = (error) => notice(`${error.code}: ${error.message}${error.status === 401 ? ' — enter the admin token above' : ''}`, 'error');

  // --- tabs ------------------------------------------------------------------------------------
  const loaders = {};
  function show(tab) {
    for (const button of document.querySelectorAll('#tabs button')) button.classList.toggle('active', button.dataset.tab === tab);
    for (const section of document.querySelectorAll('main > .tab')) section.hidden = section.id !== tab;
    window.location.hash = tab;
    notice('');
    if (token && loaders[tab]) loaders[tab]();
  }
  for (const button of document.querySelectorAll('#tabs button')) button.addEventListener('click', () => show(button.dataset.tab));
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem('clickcredit-admin-token', token);
    show(currentTab());
  });
  const currentTab = () => (document.querySelector('#tabs button.active') || {}).dataset.tab || 'overview';

  // --- overview --------------------------------------------------------------------------------
  const charts = {};
  function chart(id, series, data, money) {
    const box = $(id);
    if (charts[id]) charts[id].destroy();
    box.replaceChildren();
    const palette = ['#4f46e5', '#059669', '#dc2626', '#d97706', '#0891b2', '#7c3aed', '#db2777', '#65a30d'];
    charts[id] = new uPlot({
      width: Math.max(320, box.clientWidth || 420),
      height: 220,
      series: [{}, ...series.map((label, index) => ({ label, stroke: palette[index % palette.length], width: 2, points: { size: 5 } }))],
      axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((v) => (money ? formatMinor(BigInt(Math.round(v))) : String(v))) }],
      scales: { y: { range: (_u, min, max) => [0, Math.max(max, money ? 100 : 1)] } },
    }, data, box);
  }
  function rangeOf(value) {
    const now = Date.now();
    if (value === '24h') return { from: new Date(now - 24 * 3600e3), bucket: 'hour' };
    return { from: new Date(now - (value === '7d' ? 7 : 30) * 86400e3), bucket: 'day' };
  }
  loaders.overview = async function overview() {
    const form = new FormData($('stats-form'));
    const { from, bucket } = rangeOf(form.get('range'));
    try {
      const stats = await api('GET', '/admin/stats', { from: from.toISOString(), to: new Date().toISOString(), bucket, network: form.get('network'), productId: form.get('productId') });
      // Every bucket of the range, empty ones included, so the time axis spans the whole range.
      const step = bucket === 'hour' ? 3600 : 86400;
      const buckets = new Map();
      const empty = () => ({ clicks: 0, conversions: 0, credited: 0n, reversed: 0n, refused: {} });
      for (let at = Math.floor(from.getTime() / 1000 / step) * step; at <= Date.now() / 1000; at += step) buckets.set(at, empty());
      const groups = new Map();
      const codes = new Set();
      const sum = { clicks: 0, conversions: 0, held: 0, refused: 0, credited: 0n, reversed: 0n };
      for (const row of stats.rows) {
        const at = Math.floor(new Date(row.bucketStart).getTime() / 1000);
        const bucketRow = buckets.get(at) || empty();
        const key = `${row.network || '—'}|${row.productId || '—'}`;
        const group = groups.get(key) || { network: row.network, productId: row.productId, clicks: 0, conversions: 0, credited: 0n, reversed: 0n, held: 0, refused: 0 };
        const refused = Object.values(row.refused).reduce((a, b) => a + b, 0);
        for (const target of [bucketRow, group, sum]) {
          target.clicks += row.clicks;
          target.conversions += row.conversions;
          target.credited += toMinor(row.creditedAmount);
          target.reversed += toMinor(row.reversedAmount);
        }
        for (const [code, count] of Object.entries(row.refused)) {
          codes.add(code);
          bucketRow.refused[code] = (bucketRow.refused[code] || 0) + count;
        }
        group.held += row.held;
        group.refused += refused;
        sum.held += row.held;
        sum.refused += refused;
        buckets.set(at, bucketRow);
        groups.set(key, group);
      }
      $('totals').replaceChildren(...[
        ['Clicks', sum.clicks], ['Conversions', sum.conversions], ['Credited', formatMinor(sum.credited)], ['Reversed', formatMinor(sum.reversed)],
        ['Held', sum.held], ['Refused postbacks', sum.refused],
      ].map(([label, value]) => el('div', { className: 'total', dataset: { total: label } }, el('small', { textContent: label }), el('strong', { textContent: String(value) }))));
      const xs = [...buckets.keys()].sort((a, b) => a - b);
      const rows = xs.map((x) => buckets.get(x));
      // The charts plot minor units (exact integers well below 2^53); axis labels are formatted back to decimals.
      chart('chart-counts', ['clicks', 'conversions'], [xs, rows.map((r) => r.clicks), rows.map((r) => r.conversions)]);
      chart('chart-money', ['credited', 'reversed'], [xs, rows.map((r) => Number(r.credited)), rows.map((r) => Number(r.reversed))], true);
      const codeList = [...codes].sort();
      chart('chart-refused', codeList.length ? codeList : ['(none refused)'], [xs, ...(codeList.length ? codeList.map((code) => rows.map((r) => r.refused[code] || 0)) : [rows.map(() => 0)])]);
      $('breakdown').replaceChildren(...[...groups.values()].map((g) => el('tr', {}, td(g.network), td(g.productId), td(g.clicks, 'num'), td(g.conversions, 'num'),
        td(formatMinor(g.credited), 'num'), td(formatMinor(g.reversed), 'num'), td(g.held, 'num'), td(g.refused, 'num'))));
    } catch (error) {
      failed(error);
    }
  };
  $('stats-form').addEventListener('submit', (event) => { event.preventDefault(); loaders.overview(); });

  // --- postback log ----------------------------------------------------------------------------
  const decisionSelect = document.querySelector('#postbacks-form select[name="decision"]');
  for (const code of DECISIONS) decisionSelect.append(el('option', { value: code, textContent: code }));
  let postbackCursor = null;
  function postbackFilters() {
    const form = new FormData($('postbacks-form'));
    const query = {};
    for (const [key, value] of form.entries()) if (value) query[key] = key === 'to' ? `${value}T23:59:59.999Z` : value;
    return query;
  }
  function showAttempt(attempt, row) {
    for (const other of document.querySelectorAll('#postbacks-rows tr.selected')) other.classList.remove('selected');
    row.classList.add('selected');
    const box = $('postback-detail');
    box.hidden = false;
    box.parentElement.classList.add('with-detail');
    const entries = [['Decision', pill(attempt.decision)], ['Rule', attempt.rule], ['Message', attempt.message], ['Source IP', attempt.sourceIp],
      ['Received', time(attempt.receivedAt)], ['Click', attempt.clickId], ['Conversion', attempt.conversionId], ['Status', attempt.postbackStatus],
      ['Amount', attempt.amount], ['Earning', attempt.earningId], ['Attempt', attempt.attemptId]];
    box.replaceChildren(
      el('h3', { textContent: 'Why this answer' }),
      el('dl', {}, ...entries.flatMap(([label, value]) => [el('dt', { textContent: label }), el('dd', {}, value instanceof window.Node ? value : String(value === null || value === undefined ? '—' : value))])),
      el('strong', { textContent: 'Raw data as received' }),
      el('pre', { id: 'raw-data', textContent: JSON.stringify(attempt.rawData, null, 2) }),
    );
  }
  loaders.postbacks = async function postbacks(more) {
    try {
      const page = await api('GET', '/admin/postbacks', { ...postbackFilters(), limit: 50, cursor: more ? postbackCursor : undefined });
      const rows = page.items.map((attempt) => {
        const row = el('tr', { dataset: { attempt: attempt.attemptId, decision: attempt.decision } },
          td(time(attempt.receivedAt)), el('td', {}, pill(attempt.decision)), el('td', {}, el('code', { textContent: attempt.clickId || '—' })),
          td(attempt.conversionId), td(attempt.postbackStatus), td(attempt.amount, 'num'), td(attempt.sourceIp), td(attempt.message));
        row.addEventListener('click', () => showAttempt(attempt, row));
        return row;
      });
      if (more) $('postbacks-rows').append(...rows);
      else $('postbacks-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 8, className: 'muted', textContent: 'No postback matches these filters.' }))]));
      postbackCursor = page.nextCursor;
      $('postbacks-more').hidden = !postbackCursor;
    } catch (error) {
      failed(error);
    }
  };
  $('postbacks-form').addEventListener('submit', (event) => { event.preventDefault(); loaders.postbacks(); });
  $('postbacks-more').addEventListener('click', () => loaders.postbacks(true));

  // --- hold queue ------------------------------------------------------------------------------
  async function decide(earning, verb, row) {
    try {
      const result = await api('POST', `/admin/earnings/${encodeURIComponent(earning.earningId)}/${verb}`);
      notice(`${verb === 'approve' ? 'Approved' : 'Rejected'} ${earning.amount} for ${earning.userId} (${result.outcome}).`, 'ok');
      row.remove();
    } catch (error) {
      failed(error);
    }
  }
  loaders.holds = async function holds() {
    try {
      const page = await api('GET', '/admin/earnings', { approvalStatus: 'pending', limit: 100 });
      $('holds-rows').replaceChildren(...(page.items.length ? page.items.map((earning) => {
        const row = el('tr', { dataset: { earning: earning.earningId, user: earning.userId } },
          td(time(earning.earnedAt)), td(earning.userId), td(earning.productId), td(earning.amount, 'num'), el('td', {}, el('code', { textContent: earning.clickId })), td(earning.conversionId));
        row.append(el('td', {},
          el('button', { className: 'approve', textContent: 'Approve', onclick: () => decide(earning, 'approve', row) }), ' ',
          el('button', { className: 'reject', textContent: 'Reject', onclick: () => decide(earning, 'reject', row) })));
        return row;
      }) : [el('tr', {}, el('td', { colSpan: 7, className: 'muted', textContent: 'Nothing is waiting for review.' }))]));
    } catch (error) {
      failed(error);
    }
  };

  // --- user ledger -----------------------------------------------------------------------------
  loaders.user = async function user() {
    const userId = new FormData($('user-form')).get('userId');
    if (!userId) return;
    try {
      const [statement, earnings] = await Promise.all([
        api('GET', `/admin/users/${encodeURIComponent(userId)}/ledger`, { limit: 100 }),
        api('GET', '/admin/earnings', { userId, limit: 100 }),
      ]);
      $('user-wallet').replaceChildren(el('div', { className: 'total', dataset: { total: 'Balance' } }, el('small', { textContent: `${statement.wallet.userId} balance` }),
        el('strong', { textContent: `${statement.wallet.balance} ${statement.wallet.currency}` })));
      $('ledger-rows').replaceChildren(...statement.items.map((entry) => el('tr', { dataset: { entry: entry.entryId } }, td(time(entry.createdAt)), td(entry.kind),
        td(entry.amount, 'num'), td(entry.balanceAfter, 'num'), el('td', {}, el('code', { textContent: entry.earningId || '—' })), td(entry.reason))));
      $('user-earnings').replaceChildren(...earnings.items.map((earning) => el('tr', {}, td(time(earning.earnedAt)), td(earning.productId), td(earning.amount, 'num'),
        td(earning.status), td(earning.approvalStatus), td(earning.referrerId ? `${earning.commission} → ${earning.referrerId}` : '—', 'num'))));
    } catch (error) {
      failed(error);
    }
  };
  $('user-form').addEventListener('submit', (event) => { event.preventDefault(); loaders.user(); });

  // --- webhook deliveries ----------------------------------------------------------------------
  loaders.webhooks = async function webhooks() {
    try {
      const page = await api('GET', '/admin/webhooks/deliveries', { state: new FormData($('webhooks-form')).get('state'), limit: 100 });
      $('webhook-rows').replaceChildren(...page.items.map((delivery) => {
        const row = el('tr', { dataset: { delivery: delivery.id, state: delivery.state } }, td(time(delivery.createdAt)), el('td', {}, el('code', { textContent: delivery.eventId })),
          td(delivery.type), td(delivery.userId), td(delivery.state), td(delivery.attempts, 'num'), td(time(delivery.nextAttemptAt)), td(delivery.lastError));
        // Only a dead delivery can be queued again (the server answers 409 for the others).
        row.append(el('td', {}, delivery.state !== 'dead' ? null : el('button', { textContent: 'Retry', onclick: async () => {
          try {
            await api('POST', `/admin/webhooks/deliveries/${encodeURIComponent(delivery.id)}/retry`);
            notice('Delivery queued again.', 'ok');
            loaders.webhooks();
          } catch (error) {
            failed(error);
          }
        } })));
        return row;
      }));
      if (page.items.length === 0) $('webhook-rows').replaceChildren(el('tr', {}, el('td', { colSpan: 9, className: 'muted', textContent: 'No webhook delivery (none configured, or none in this state).' })));
    } catch (error) {
      if (error.code === 'NOT_FOUND') notice('This server does not serve webhook deliveries (no /admin/webhooks routes).');
      else failed(error);
    }
  };
  $('webhooks-form').addEventListener('submit', (event) => { event.preventDefault(); loaders.webhooks(); });

  const initial = window.location.hash.slice(1);
  show(loaders[initial] ? initial : 'overview');
  if (!token) notice('Enter the admin token to load the dashboard.');
})();
