import { describe, expect, it } from 'vitest';
import {
  AdminPostbacksQuerySchema,
  AdminStatsQuerySchema,
  HOLD_EVERY_CONVERSION,
  clickHoldTerms,
  decodeListCursor,
  decodeStatementCursor,
  encodeListCursor,
  encodeStatementCursor,
  moneyOptions,
} from 'clickcredit';

describe('admin input', () => {
  it('reads times as UTC whatever the server zone, and refuses anything else', () => {
    const parse = (from: string) => AdminPostbacksQuerySchema.parse({ from }).from!.toISOString();
    expect(parse('2026-03-01')).toBe('2026-03-01T00:00:00.000Z');
    expect(parse('2026-03-01T12:30')).toBe('2026-03-01T12:30:00.000Z');
    expect(parse('2026-03-01T12:30:00+02:00')).toBe('2026-03-01T10:30:00.000Z');
    for (const bad of ['yesterday', '2026-13-01', '1e12', '2026-03-01 12:00', '']) expect(AdminPostbacksQuerySchema.safeParse({ from: bad }).success).toBe(false);
    expect(AdminPostbacksQuerySchema.safeParse({ from: '2026-03-02', to: '2026-03-01' }).success).toBe(false);
    expect(AdminPostbacksQuerySchema.safeParse({ limit: '201' }).success).toBe(false);
    expect(AdminPostbacksQuerySchema.parse({ limit: '200' }).limit).toBe(200);
  });

  it('bounds a statistics range to 1000 buckets', () => {
    expect(AdminStatsQuerySchema.safeParse({ from: '2026-01-01', to: '2026-02-11', bucket: 'hour' }).success).toBe(true);
    expect(AdminStatsQuerySchema.safeParse({ from: '2026-01-01', to: '2026-03-01', bucket: 'hour' }).success).toBe(false);
    expect(AdminStatsQuerySchema.safeParse({ from: '2024-01-01', to: '2026-01-01', bucket: 'day' }).success).toBe(true);
  });

  it('round-trips cursors and refuses malformed ones with VALIDATION_ERROR', () => {
    const position = { at: new Date('2026-03-01T00:00:00.123Z'), id: 'a:b:c' };
    expect(decodeListCursor(encodeListCursor(position))).toEqual(position);
    expect(decodeStatementCursor(encodeStatementCursor({ position: '42', balanceBeforeMinor: -12345678901234567890n }))).toEqual({ position: '42', balanceBeforeMinor: -12345678901234567890n });
    for (const bad of ['', '%%%', Buffer.from('x:y').toString('base64url'), Buffer.from('99999999999999999:id').toString('base64url'), Buffer.from('1:\u0000').toString('base64url')]) {
      expect(() => decodeListCursor(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    }
    expect(() => decodeStatementCursor(Buffer.from('1.5:3').toString('base64url'))).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('snapshots the stricter of the global and the product hold', () => {
    const money = moneyOptions();
    const global = { holdAboveMinor: 5000n, holdWithinSeconds: 60 };
    expect(clickHoldTerms(global, undefined, money)).toEqual(global);
    expect(clickHoldTerms(global, 'always', money)).toEqual({ holdAboveMinor: HOLD_EVERY_CONVERSION, holdWithinSeconds: 60 });
    expect(clickHoldTerms(global, { aboveAmount: '10.00', withinSecondsOfClick: 30 }, money)).toEqual({ holdAboveMinor: 1000n, holdWithinSeconds: 60 });
    expect(clickHoldTerms({ holdAboveMinor: null, holdWithinSeconds: null }, { withinSecondsOfClick: 300 }, money)).toEqual({ holdAboveMinor: null, holdWithinSeconds: 300 });
    expect(() => clickHoldTerms(global, { withinSecondsOfClick: 1.5 }, money)).toThrow(TypeError);
  });
});
