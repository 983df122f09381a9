/**
 * tracker.handleNetworkCallback on the memory store: amounts and rates, reversals the networks'
 * ways, the host's user hook, referral commission, goals, secrets kept out of the audit, and the
 * click's rules for click-keyed trackers.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClickTracker, userKeyedClickId, type ClickTracker, type NetworkDefinition } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { adgate, ayet, bitlabs, cpx, lootably, sortedQuery, trackerPostback, type PresetOptions } from 'clickcredit/networks';

const PUBLIC_URL = 'https://api.example.com/earn';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function trackerWith(networks: Record<string, NetworkDefinition>, extra: { clickTtlSeconds?: number; now?: () => Date } = {}): ClickTracker {
  return createClickTracker({
    storage: createMemoryStore(),
    products: { getProduct: (id) => (id === 'offer' ? { productId: 'offer', earnUpTo: '50.00', active: true } : null) },
    referrals: { referrerOf: (user) => (user === 'friend' ? 'referrer' : null) },
    referralCommission: '10%',
    publicUrl: PUBLIC_URL,
    allowUnverifiedPostbacks: true,
    networks,
    ...(extra.clickTtlSeconds ? { clickTtlSeconds: extra.clickTtlSeconds } : {}),
    ...(extra.now ? { clock: { now: extra.now } } : {}),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

const get = (rawQuery: string) => ({ query: Object.fromEntries(new URLSearchParams(rawQuery)), rawQuery, method: 'GET' });
const cpxQuery = (tx: string, user: string, amount: string, status = '1') => `status=${status}&trans_id=${tx}&user_id=${user}&amount_local=${amount}&hash=${md5(`${tx}-k`)}`;

describe('handleNetworkCallback', () => {
  it("a click-keyed tracker cannot move a user-keyed network's virtual click (unknown_click, nothing moves)", async () => {
    const tracker = trackerWith({ cpx: cpx('k'), tracker: trackerPostback('t') });
    expect(await tracker.handleNetworkCallback('cpx', get(cpxQuery('v1', 'u9', '3')))).toMatchObject({ decision: 'credited' });
    const virtual = userKeyedClickId('cpx', 'v1');
    const reversal = await tracker.handleNetworkCallback('tracker', get(`subid=${virtual}&tid=v1&payout=3&status=rejected&security_token=t`));
    expect(reversal.decision).toBe('unknown_click');
    expect((await tracker.getWallet('u9')).balance).toBe('3.00');
  });


  it('converts the network unit with the rate (100 points = 1.00), exactly; an amount that does not fit is refused', async () => {
    const tracker = trackerWith({ cpx: cpx('k', { rate: '0.01' }) });
    const ok = await tracker.handleNetworkCallback('cpx', get(cpxQuery('t1', 'u1', '250')));
    expect(ok).toMatchObject({ decision: 'credited', reply: { status: 200, body: '1' }, result: { amount: '2.50' } });
    expect((await tracker.getWallet('u1')).balance).toBe('2.50');
    // 2.5 points = 0.025: more decimals than the wallet has, refused (the host may configure rounding).
    const odd = await tracker.handleNetworkCallback('cpx', get(cpxQuery('t2', 'u1', '2.5')));
    expect(odd).toMatchObject({ decision: 'invalid_amount', reply: { status: 400, body: '0' } });
    expect((await tracker.getWallet('u1')).balance).toBe('2.50');
  });

  it('refuses a negative amount where the network never sends one; CPX reverses by status, BitLabs by sign, never re-negated', async () => {
    const secret = 'b';
    const tracker = trackerWith({ cpx: cpx('k'), bitlabs: bitlabs(secret) });
    expect(await tracker.handleNetworkCallback('cpx', get(cpxQuery('n1', 'u2', '-5')))).toMatchObject({ decision: 'invalid_amount' });
    const signed = (q: string) => `${q}&hash=${createHmac('sha1', secret).update(`${PUBLIC_URL}/postback/bitlabs?${q}`).digest('hex')}`;
    await tracker.handleNetworkCallback('bitlabs', get(signed('uid=u2&val=10&tx=b1')));
    expect((await tracker.getWallet('u2')).balance).toBe('10.00');
    const reconciliation = await tracker.handleNetworkCallback('bitlabs', get(signed('uid=u2&val=-10&tx=b1')));
    expect(reconciliation.decision).toBe('reversed');
    expect((await tracker.getWallet('u2')).balance).toBe('0.00');
  });

  it("ayeT: a reversal (r-<id>, negative amount) arriving before its credit; the late credit nets to zero", async () => {
    const key = 'ayet-key';
    const tracker = trackerWith({ ayet: ayet(key) });
    const send = (q: string) =>
      tracker.handleNetworkCallback('ayet', { ...get(q), headers: { 'x-ayetstudios-security-hash': createHmac('sha256', key).update(sortedQuery(q, 'php')).digest('hex') } });
    const reversal = await send('external_identifier=u3&currency_amount=-7&transaction_id=r-a1&is_chargeback=1&chargeback_reason=fraud');
    expect(reversal).toMatchObject({ decision: 'pre_reversed', reply: { status: 200 } });
    const credit = await send('external_identifier=u3&currency_amount=7&transaction_id=a1&is_chargeback=0');
    expect(credit.decision).toBe('netted');
    expect((await tracker.getWallet('u3')).balance).toBe('0.00');
  });

  it('maps or refuses the user with the host hook; pays the referral commission; caps at maxAmount', async () => {
    const options: PresetOptions = { maxAmount: '20.00', resolveUser: (id) => ({ 'wall-7': 'friend' })[id] ?? null };
    const tracker = trackerWith({ cpx: cpx('k', options) });
    const credited = await tracker.handleNetworkCallback('cpx', get(cpxQuery('m1', 'wall-7', '30')));
    expect(credited.result?.amount).toBe('20.00');
    expect((await tracker.getWallet('friend')).balance).toBe('20.00');
    expect((await tracker.getWallet('referrer')).balance).toBe('2.00');
    const stranger = await tracker.handleNetworkCallback('cpx', get(cpxQuery('m2', 'wall-8', '5')));
    expect(stranger).toMatchObject({ decision: 'invalid_input', reply: { status: 404, body: '0' } });
    const [row] = await tracker.listPostbackAttempts(userKeyedClickId('cpx', 'm2'));
    expect(row).toMatchObject({ decision: 'invalid_input', message: expect.stringMatching(/unknown user "wall-8"/) });
    // A reversal debits the user and the referrer's commission.
    await tracker.handleNetworkCallback('cpx', get(cpxQuery('m1', 'wall-7', '30', '2')));
    expect((await tracker.getWallet('friend')).balance).toBe('0.00');
    expect((await tracker.getWallet('referrer')).balance).toBe('0.00');
  });

  it('each goal of a multi-goal offer is its own conversion, paid once', async () => {
    const secret = 'lt';
    const tracker = trackerWith({ lootably: lootably(secret) });
    const q = (goal: string) => {
      const hash = createHash('sha256').update(`u4` + '1.2.3.4' + '0.10' + '5' + secret).digest('hex');
      return `userID=u4&transactionID=L1&ip=1.2.3.4&revenue=0.10&currencyReward=5&goalID=${goal}&status=1&hash=${hash}`;
    };
    expect((await tracker.handleNetworkCallback('lootably', get(q('install')))).decision).toBe('credited');
    expect((await tracker.handleNetworkCallback('lootably', get(q('level_10')))).decision).toBe('credited');
    expect((await tracker.handleNetworkCallback('lootably', get(q('install')))).decision).toBe('duplicate');
    expect((await tracker.getWallet('u4')).balance).toBe('10.00');
  });

  it('keeps a secret URL token out of the audit row and the earning', async () => {
    const tracker = trackerWith({ adgate: adgate('url-token', { sourceIps: false }) });
    const outcome = await tracker.handleNetworkCallback('adgate', get('user_id=u5&conversion_id=c1&point_value=3&state=approved&token=url-token'));
    expect(outcome.decision).toBe('credited');
    const [row] = await tracker.listPostbackAttempts(userKeyedClickId('adgate', 'c1'));
    expect(JSON.stringify(row!.rawData)).not.toContain('url-token');
    expect(row!.rawData).toMatchObject({ network: 'adgate', user_id: 'u5' });
  });

  it('refuses an unknown status word and a missing transaction id (the idempotency key)', async () => {
    const tracker = trackerWith({ cpx: cpx('k') });
    expect(await tracker.handleNetworkCallback('cpx', get(cpxQuery('s1', 'u6', '5', '9')))).toMatchObject({ decision: 'invalid_input', reply: { status: 400 } });
    expect(await tracker.handleNetworkCallback('cpx', get(`status=1&user_id=u6&amount_local=5&hash=${md5('-k')}`))).toMatchObject({ decision: 'invalid_input' });
    expect((await tracker.getWallet('u6')).balance).toBe('0.00');
  });

  it("a network's own risk rules apply to its conversions (per-user daily cap: the second is held for approval)", async () => {
    const tracker = trackerWith({ cpx: cpx('k', { risk: { dailyCaps: { perUser: { count: 1 } } } }) });
    expect((await tracker.handleNetworkCallback('cpx', get(cpxQuery('r1', 'u9', '5')))).decision).toBe('credited');
    const second = await tracker.handleNetworkCallback('cpx', get(cpxQuery('r2', 'u9', '5')));
    expect(second).toMatchObject({ decision: 'held', reply: { status: 200, body: '1' }, result: { approvalStatus: 'pending' } });
    expect((await tracker.getWallet('u9')).balance).toBe('5.00');
    const [row] = await tracker.listPostbackAttempts(userKeyedClickId('cpx', 'r2'));
    expect(row).toMatchObject({ decision: 'held', rule: 'user_daily_cap' });
  });

  it('throws NotFoundError for a network that is not configured', async () => {
    await expect(trackerWith({}).handleNetworkCallback('nope', get('a=1'))).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  describe('click-keyed trackers: the click rules apply', () => {
    it('lead is pending, sale credits (capped at the click earnUpTo), rejected after the sale debits', async () => {
      const tracker = trackerWith({ keitaro: trackerPostback('tok') });
      const { clickId } = await tracker.createClick({ userId: 'u7', productId: 'offer', taskUrl: 'https://adv.example/o' });
      const send = (status: string, payout = '80') => tracker.handleNetworkCallback('keitaro', get(`subid=${clickId}&tid=K1&payout=${payout}&status=${status}&security_token=tok`));
      expect((await send('lead')).decision).toBe('recorded_pending');
      expect((await tracker.getWallet('u7')).balance).toBe('0.00');
      const sale = await send('sale');
      expect(sale).toMatchObject({ decision: 'credited', result: { amount: '50.00' }, reply: { body: 'OK' } });
      expect((await send('sale')).decision).toBe('duplicate');
      expect((await send('rejected')).decision).toBe('reversed');
      expect((await tracker.getWallet('u7')).balance).toBe('0.00');
    });

    it('an unknown click is 404, an expired one 410, a click id that is not a UUID 400', async () => {
      let now = new Date('2026-12-01T10:00:00Z');
      const tracker = trackerWith({ keitaro: trackerPostback('tok') }, { clickTtlSeconds: 60, now: () => now });
      const { clickId } = await tracker.createClick({ userId: 'u8', productId: 'offer', taskUrl: 'https://adv.example/o' });
      const send = (subid: string) => tracker.handleNetworkCallback('keitaro', get(`subid=${subid}&tid=K2&payout=5&status=sale&security_token=tok`));
      expect(await send('8cc877ee-af19-488d-b28d-216fb866b996')).toMatchObject({ decision: 'unknown_click', reply: { status: 404 } });
      expect(await send('not-a-uuid')).toMatchObject({ decision: 'invalid_input', reply: { status: 400 } });
      now = new Date('2026-12-01T10:05:00Z');
      expect(await send(clickId)).toMatchObject({ decision: 'expired', reply: { status: 410 } });
      expect((await tracker.getWallet('u8')).balance).toBe('0.00');
    });
  });
});
