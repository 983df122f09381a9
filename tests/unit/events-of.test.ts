/**
 * The pure rules of events: which decision records which event with which wallet delta, the
 * ids, the public body, webhook options and the backoff schedule.
 */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { approvalEventId, backoffMs, conversionEventId, eventBody, type EarningRecord } from 'clickcredit';
import { conversionEventType, eventOfAdjustment, eventOfApproval, eventOfConversion } from 'clickcredit/store';
import { resolveWebhook, sendWebhook } from '../../src/events/webhook.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const at = new Date('2026-12-01T10:00:00.000Z');
const earning: EarningRecord = {
  earningId: 'e-1', userId: 'u-1', productId: 'p', offerId: null, clickId: 'c-1', conversionId: 'conv', transactionId: null,
  amountMinor: 1250n, status: 'completed', approvalStatus: 'auto_approved', type: 'task', credited: true, creditedAt: at,
  cancelledAt: null, cancelReason: null, reversedBeforeCredit: false, referrerId: 'r-1', commissionMinor: 125n,
  lastPostbackStatus: 'completed', postbackReceived: true, postbackReceivedAt: at, postbackData: null, earnedAt: at, createdAt: at, updatedAt: at,
};

describe('eventOfConversion', () => {
  const cases: Array<[Parameters<typeof eventOfConversion>[0]['decision'], Partial<EarningRecord>, string | null, bigint]> = [
    ['credited', {}, 'conversion.credited', 1250n],
    ['netted', {}, 'conversion.credited', 0n],
    ['held', { approvalStatus: 'pending' }, 'conversion.held', 0n],
    ['recorded_pending', { status: 'pending' }, 'conversion.pending', 0n],
    ['rejected', { status: 'cancelled', cancelReason: 'rejected' }, 'conversion.rejected', 0n],
    ['cancelled', { status: 'cancelled', cancelReason: 'rejected' }, 'conversion.rejected', 0n],
    ['cancelled', { status: 'cancelled', cancelReason: 'reversed' }, 'conversion.reversed', 0n],
    ['reversed', { status: 'cancelled', cancelReason: 'reversed' }, 'conversion.reversed', -1250n],
    ['pre_reversed', { status: 'cancelled', cancelReason: 'reversed', reversedBeforeCredit: true }, 'conversion.reversed', 0n],
    ['duplicate', {}, null, 0n],
    ['conflict', {}, null, 0n],
    ['expired', {}, null, 0n],
  ];
  for (const [decision, change, type, delta] of cases) {
    it(`${decision}${change.cancelReason ? ` (${change.cancelReason})` : ''} -> ${type ?? 'no event'}`, () => {
      const event = eventOfConversion({ decision, earning: { ...earning, ...change } }, 'a-1', at);
      if (type === null) return expect(event).toBeNull();
      expect(event).toMatchObject({ id: 'evt_a-1', type, userId: 'u-1', createdAt: at });
      expect(event!.data).toMatchObject({ change: decision, walletDeltaMinor: delta, commissionDeltaMinor: delta === 0n ? 0n : delta / 10n });
    });
  }
  it('records nothing without an earning', () => {
    expect(eventOfConversion({ decision: 'credited', earning: null }, 'a', at)).toBeNull();
    expect(conversionEventType('unknown_click', null)).toBeNull();
  });
});

describe('approval and adjustment events', () => {
  it('approve credits the amount, reject moves nothing; ids are stable per decision', () => {
    expect(eventOfApproval(earning, true, at)).toMatchObject({ id: approvalEventId('e-1', true), type: 'earning.approved', data: { walletDeltaMinor: 1250n } });
    expect(eventOfApproval(earning, false, at)).toMatchObject({ id: 'evt_e-1_rejected', type: 'earning.rejected', data: { walletDeltaMinor: 0n } });
    expect(conversionEventId('x')).toBe('evt_x');
  });
  it('an adjustment carries its signed delta, magnitude, key and reason', () => {
    const debit = eventOfAdjustment({ key: 'adjustment:k', userId: 'u', kind: 'manual_debit', amountMinor: -300n, earningId: null, reversesKey: null, reason: 'payout', createdAt: at }, 'evt_1');
    expect(debit).toMatchObject({ id: 'evt_1', type: 'wallet.adjusted', data: { amountMinor: 300n, walletDeltaMinor: -300n, ledgerKey: 'adjustment:k', reason: 'payout' } });
  });
  it('renders the body with decimal strings in the tracker scale', () => {
    const body = eventBody(eventOfConversion({ decision: 'reversed', earning }, 'a', at)!, 2, 'EUR');
    expect(body).toEqual({
      id: 'evt_a', type: 'conversion.reversed', createdAt: '2026-12-01T10:00:00.000Z',
      data: expect.objectContaining({ userId: 'u-1', amount: '12.50', walletDelta: '-12.50', commissionDelta: '-1.25', currency: 'EUR' }),
    });
  });
});

describe('webhook options and sending', () => {
  const secret = `whsec_${Buffer.from('unit-test-secret-unit-test').toString('base64')}`;
  it('refuses a bad url, secret or count at start-up; backoff doubles up to maxMs', () => {
    expect(() => resolveWebhook({ url: 'not a url', secret })).toThrow(TypeError);
    expect(() => resolveWebhook({ url: 'ftp://x.example/', secret })).toThrow(TypeError);
    expect(() => resolveWebhook({ url: 'https://x.example/', secret: '' })).toThrow(TypeError);
    expect(() => resolveWebhook({ url: 'https://x.example/', secret, maxAttempts: 0 })).toThrow(TypeError);
    const w = resolveWebhook({ url: 'https://x.example/', secret, backoff: { initialMs: 100, maxMs: 1000 } })!;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(w, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(resolveWebhook(undefined)).toBeNull();
  });
  it('signs what it sends so that standardwebhooks verifies it; a non-2xx or a refused connection is a failure', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push(new Webhook(secret).verify(body, req.headers as Record<string, string>) as Record<string, unknown>);
        res.writeHead(seen.length === 1 ? 200 : 500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`;
    const w = resolveWebhook({ url, secret })!;
    const body = eventBody(eventOfConversion({ decision: 'credited', earning }, 'a', at)!, 2, 'USD');
    try {
      expect(await sendWebhook(w, body, new Date())).toBeNull();
      expect(await sendWebhook(w, body, new Date())).toBe('HTTP 500');
      expect(seen[0]).toMatchObject({ id: 'evt_a', type: 'conversion.credited' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await sendWebhook(w, body, new Date())).toMatch(/Error|fetch failed/);
  });
});
