/* global document, window, location, fetch, localStorage, setInterval -- a browser page */
// The reward app of the demo: pick a demo user, start an offer's task (a real click through the
// API), open the tracking link in the "WebView", and watch the wallets and earnings move.
import { formatMinor, signed, toMinor } from './money.js';

const $ = (id) => document.getElementById(id);
const el = (tag, { dataset = {}, ...props } = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
};

const state = { config: null, userId: null, balances: new Map(), deltas: new Map() };

function tokenOf(userId) {
  return state.config.users.find((user) => user.userId === userId).token;
}

/** Calls the API with a user's bearer token; resolves to the envelope's data, rejects with its message and code. */
async function api(method, path, userId, body) {
  const response = await fetch(state.config.prefix + path, {
    method,
    headers: { authorization: `Bearer ${tokenOf(userId)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const envelope = await response.json().catch(() => null);
  if (envelope?.success) return envelope.data;
  const error = new Error(envelope?.message ?? `HTTP ${response.status}`);
  error.code = envelope?.error?.code ?? 'HTTP_ERROR';
  throw error;
}

function showError(error) {
  const box = $('app-error');
  box.hidden = !error;
  box.textContent = error ? `${error.code ?? 'ERROR'}: ${error.message}` : '';
}

function renderUsers() {
  const box = $('users');
  box.replaceChildren(
    ...state.config.users.map((user) =>
      el(
        'button',
        {
          className: user.userId === state.userId ? 'user selected' : 'user',
          role: 'radio',
          ariaChecked: String(user.userId === state.userId),
          dataset: { user: user.userId },
          onclick: () => selectUser(user.userId),
        },
        el('strong', { textContent: user.userId }),
        el('small', { textContent: user.referrerId ? `referred by ${user.referrerId}` : 'no referrer' }),
      ),
    ),
  );
}

function renderWallets() {
  $('wallets').replaceChildren(
    ...state.config.users.map((user) => {
      const balance = state.balances.get(user.userId);
      const delta = state.deltas.get(user.userId);
      return el(
        'div',
        { className: user.userId === state.userId ? 'wallet selected' : 'wallet', dataset: { wallet: user.userId } },
        el('small', { textContent: user.userId }),
        el('span', { className: 'balance', textContent: balance === undefined ? '…' : formatMinor(balance) }),
        el('span', { className: delta === undefined ? 'delta' : delta < 0n ? 'delta down' : 'delta up', textContent: delta === undefined ? '' : signed(delta) }),
      );
    }),
  );
}

function renderOffers() {
  $('offers').replaceChildren(
    ...state.config.offers.map((offer) =>
      el(
        'li',
        { className: 'offer', dataset: { offer: offer.productId } },
        el('div', {}, el('strong', { textContent: offer.productId }), el('small', { textContent: `Earn up to ${offer.earnUpTo}` })),
        el('button', { className: 'primary', textContent: 'Start task', disabled: !offer.active, onclick: (event) => startTask(offer, event.currentTarget) }),
      ),
    ),
  );
}

function renderEarnings(items) {
  const rows = items.map((earning) =>
    el(
      'tr',
      { dataset: { earning: earning.earningId } },
      el('td', { textContent: new Date(earning.earnedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) }),
      el('td', { textContent: earning.productId }),
      el('td', { className: 'num', textContent: earning.amount }),
      el('td', {}, el('span', { className: `pill ${earning.status}`, textContent: earning.status === 'completed' && !earning.credited ? 'completed · credit owed' : earning.status })),
      el('td', { textContent: earning.approvalStatus }),
      el('td', { className: 'num ref', textContent: earning.referrerId ? `${earning.commission} → ${earning.referrerId}` : '—' }),
    ),
  );
  $('earnings').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 6, className: 'muted', textContent: 'Nothing earned yet.' }))]));
}

/** Reads every demo wallet and the selected user's earnings; remembers how much each balance moved. */
async function refresh() {
  try {
    const wallets = await Promise.all(state.config.users.map((user) => api('GET', '/wallet', user.userId)));
    for (const wallet of wallets) {
      const minor = toMinor(wallet.balance);
      const before = state.balances.get(wallet.userId);
      if (before !== undefined && before !== minor) state.deltas.set(wallet.userId, minor - before);
      state.balances.set(wallet.userId, minor);
    }
    renderWallets();
    renderEarnings((await api('GET', '/earnings?limit=10', state.userId)).items);
  } catch (error) {
    showError(error);
  }
}

function selectUser(userId) {
  state.userId = userId;
  localStorage.setItem('clickcredit-demo-user', userId);
  state.deltas.clear();
  renderUsers();
  renderWallets();
  void refresh();
}

async function startTask(offer, button) {
  showError(null);
  button.disabled = true;
  try {
    const taskUrl = `${location.origin}/demo/advertiser?offer=${encodeURIComponent(offer.productId)}`;
    const click = await api('POST', `/products/${encodeURIComponent(offer.productId)}/click`, state.userId, { taskUrl });
    const box = $('click');
    box.hidden = false;
    box.replaceChildren(
      'Click ', el('code', { textContent: click.clickId }),
      ` for ${state.userId}, valid until ${new Date(click.expiresAt).toLocaleString()}.`,
    );
    // The tracking link records the visit, then redirects to click.redirectUrl (the offer with click_id and postback_url).
    const tracking = `${state.config.prefix}/track/${click.clickId}?redirect=1`;
    $('webview-url').textContent = click.redirectUrl;
    $('webview-empty').hidden = true;
    const frame = $('webview');
    frame.hidden = false;
    frame.src = tracking;
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// The advertiser page (in the WebView) says when it sent a postback: refresh at once.
window.addEventListener('message', (event) => {
  if (event.origin === location.origin && event.data?.type === 'clickcredit-demo:postback') void refresh();
});

state.config = await (await fetch('/demo/config.json')).json();
const remembered = localStorage.getItem('clickcredit-demo-user');
state.userId = state.config.users.some((user) => user.userId === remembered) ? remembered : (state.config.users.find((u) => u.referrerId)?.userId ?? state.config.users[0].userId);
renderUsers();
renderOffers();
renderWallets();
await refresh();
setInterval(() => void refresh(), 3000);
