/* global document, window, location, fetch, URLSearchParams -- a browser page */
// The mock advertiser's page: shows the click_id and postback_url it received, and asks its own
// server to send the server-to-server postback (the browser never calls the postback URL itself).
const $ = (id) => document.getElementById(id);
const el = (tag, { dataset = {}, ...props } = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
};

const query = new URLSearchParams(location.search);
const clickId = query.get('click_id');
const postbackUrl = query.get('postback_url');
$('click-id').textContent = clickId ?? '—';
$('postback-url').textContent = postbackUrl ?? '—';
const config = await (await fetch('/demo/config.json')).json();
$('signing').textContent = config.signed
  ? 'The example has a POSTBACK_SECRET: this advertiser signs its postbacks (Standard Webhooks HMAC-SHA256); a forged one is signed with a wrong secret.'
  : 'POSTBACK_SECRET is not set: postbacks go unsigned and the server accepts them unverified — a forged callback looks exactly like a real one.';

const LABELS = { complete: 'Conversion', duplicate: 'Duplicate', reverse: 'Reversal', forged: 'Forged callback' };
const buttons = [...document.querySelectorAll('button[data-action]')];
if (!clickId || !postbackUrl) {
  $('missing').hidden = false;
  for (const button of buttons) button.disabled = true;
}

function logEntry(action, exchange) {
  const ok = exchange.answer?.status === 200;
  const data = exchange.answer?.body?.data;
  const verdict = exchange.error
    ? `not sent: ${exchange.error}`
    : ok
      ? `${exchange.answer.status} · ${data.duplicate ? 'duplicate, nothing moved' : `${data.status} ${data.amount}`} · decision ${data.decision}`
      : `${exchange.answer.status} · ${exchange.answer.body?.error?.code ?? ''} · ${exchange.answer.body?.message ?? ''}`;
  return el(
    'li',
    { className: ok ? 'ok' : 'refused', dataset: { action, status: String(exchange.answer?.status ?? 0) } },
    el('div', { className: 'log-head' }, el('strong', { textContent: LABELS[action] }), el('span', { className: 'verdict', textContent: verdict })),
    ...(exchange.sent
      ? [
          el('div', { className: 'muted', textContent: `POST ${exchange.sent.url} · signed: ${exchange.sent.signed}` }),
          el('details', {}, el('summary', { textContent: 'request and answer' }),
            el('pre', { textContent: `${exchange.sent.body}\n\n${JSON.stringify(exchange.answer.body, null, 2)}` })),
        ]
      : []),
  );
}

async function send(action) {
  for (const button of buttons) button.disabled = true;
  let exchange;
  try {
    const response = await fetch('/demo/advertiser/postback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clickId, postbackUrl, action, amount: $('amount').value.trim() || undefined }),
    });
    exchange = await response.json();
  } catch (error) {
    exchange = { error: error.message };
  }
  const log = $('log');
  if (log.firstElementChild?.classList.contains('muted')) log.replaceChildren();
  log.prepend(logEntry(action, exchange));
  for (const button of buttons) button.disabled = false;
  if (window.parent !== window) window.parent.postMessage({ type: 'clickcredit-demo:postback' }, location.origin);
}

for (const button of buttons) button.addEventListener('click', () => void send(button.dataset.action));

// A user-keyed callback needs no click: it works on this page even when opened on its own.
$('network-send').addEventListener('click', async () => {
  const button = $('network-send');
  button.disabled = true;
  let exchange;
  try {
    const response = await fetch('/demo/advertiser/network-callback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: $('network-user').value, amount: $('network-amount').value.trim() }),
    });
    exchange = await response.json();
  } catch (error) {
    exchange = { error: error.message };
  }
  const ok = exchange.answer?.status === 200;
  const log = $('log');
  if (log.firstElementChild?.classList.contains('muted')) log.replaceChildren();
  log.prepend(el('li', { className: ok ? 'ok' : 'refused', dataset: { action: 'network', status: String(exchange.answer?.status ?? 0) } },
    el('div', { className: 'log-head' }, el('strong', { textContent: 'Tapjoy callback' }),
      el('span', { className: 'verdict', textContent: exchange.error ? `not sent: ${exchange.error}` : `${exchange.answer.status} · ${exchange.answer.body}` })),
    ...(exchange.sent ? [el('div', { className: 'muted', textContent: `GET ${exchange.sent.url}` })] : [])));
  button.disabled = false;
  if (window.parent !== window) window.parent.postMessage({ type: 'clickcredit-demo:postback' }, location.origin);
});
