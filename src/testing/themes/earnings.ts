/**
 * Conformance: reading earnings back — pagination, order, ownership.
 * @module
 */
import { click, postback, type Theme } from '../context.js';

/** Earnings: newest first, keyset pages without gaps or repeats, one user's only. */
export const earningsTheme: Theme = ({ it, expect }, ctx) => {
  it('pages a user’s earnings newest first with a cursor, without gaps or repeats', async () => {
    const { tracker, user, clock } = ctx();
    const t = tracker();
    const u = user();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await postback(t, (await click(t, u)).clickId, { amount: `${i + 1}.00`, conversionId: 'c' })).earningId);
      if (i !== 2) clock.advanceSeconds(1); // two earnings share a timestamp: ties break by id
    }
    await postback(t, (await click(t, user('other'))).clickId, { amount: '9.00', conversionId: 'c' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.listEarnings(u, { limit: 2, cursor });
      seen.push(...page.items.map((e) => e.earningId));
      expect(page.items.every((e) => e.userId === u)).toBe(true);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect(seen.slice().sort()).toEqual(ids.slice().sort());
    const all = await t.listEarnings(u, { limit: 100 });
    const times = all.items.map((e) => new Date(e.createdAt).getTime());
    expect(times).toEqual(times.slice().sort((a, b) => b - a));
    expect(all.items[0]).toMatchObject({ amount: '5.00', status: 'completed', commission: '0.00' });
    expect(all.nextCursor).toBeNull();
    expect(await t.getEarning(ids[0]!)).toMatchObject({ earningId: ids[0], amount: '1.00', userId: u });
    await expect(t.getEarning('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.listEarnings(u, { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(t.listEarnings(u, { cursor: '!!' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
};
