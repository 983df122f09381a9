/**
 * Conformance: the earning's state machines as one table (STATE_MACHINE_TABLE) — each row drives
 * the store through the steps that reach its state, then takes the row's step, and compares the
 * decision, the earning shown and stored, the click's status and the ledger entries the step
 * added (read raw) with the row. The same table checks the pure `decideConversion` and
 * `decideApproval` in the unit tests, so every translation of them (PL/pgSQL, Lua) answers alike.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import type { ClickRecord, EarningRecord, LedgerEntry, PostbackAction, WalletOperation } from 'clickcredit';
import type { SuiteContext, Theme } from '../context.js';
import { STATE_MACHINE_TABLE, TABLE_AMOUNTS, TABLE_CLICK, type TableEarning, type TableStep } from '../state-machine-table.js';

const ACTIONS: Record<Exclude<TableStep, 'approve' | 'disapprove'>, [PostbackAction, string]> = {
  credit: ['credit', 'completed'], credit_high: ['credit', 'completed'], pending: ['pending', 'pending'],
  reject: ['reject', 'rejected'], reverse: ['reverse', 'reversed'],
};

/** One row's click, user and referrer (fresh ids), and the earning its steps created. */
interface RowRun {
  click: ClickRecord;
  referrerId: string;
  earningId: string | null;
}

async function newRow(context: SuiteContext): Promise<RowRun> {
  const now = context.clock.now();
  const userId = context.user('table');
  const referrerId = context.user('table-referrer');
  const clickId = uuidv4();
  const click: ClickRecord = {
    clickId, userId, productId: 'prod-50', offerId: null, taskUrl: 'https://advertiser.example/offer',
    redirectUrl: `https://advertiser.example/offer?click_id=${clickId}`, postbackUrl: 'https://api.example.test/api/v1/earn/postback',
    ipAddress: null, userAgent: null, referrer: null, clickedAt: now, expiresAt: new Date(now.getTime() + 86_400_000),
    status: 'pending', conversionId: null, postbackReceived: false, postbackReceivedAt: null, visitCount: 0, firstVisitAt: null,
    lastVisitAt: null, createdAt: now, updatedAt: now, earnUpToMinor: TABLE_CLICK.earnUpToMinor, referrerId,
    commissionPpm: TABLE_CLICK.commissionPpm, holdAboveMinor: TABLE_CLICK.holdAboveMinor, holdWithinSeconds: null,
    network: null, networkTransactionId: null, goals: null,
  };
  await context.harness.storage.insertClick(click);
  return { click, referrerId, earningId: null };
}

/** Takes one step through the store (money owed in outbox mode is applied and settled, as the core does). */
async function step(context: SuiteContext, run: RowRun, s: TableStep): Promise<{ decision: string; earning: EarningRecord | null }> {
  const { storage } = context.harness;
  context.clock.advanceSeconds(1);
  const now = context.clock.now();
  const ledger = storage.supportsInlineLedger ? 'inline' : 'outbox';
  let owed: WalletOperation[];
  let answer: { decision: string; earning: EarningRecord | null };
  if (s === 'approve' || s === 'disapprove') {
    const outcome = await storage.decideApproval({ earningId: run.earningId ?? uuidv4(), approve: s === 'approve', now, ledger });
    owed = outcome.owed;
    answer = { decision: outcome.decision, earning: outcome.earning };
  } else {
    const [action, postbackStatus] = ACTIONS[s];
    const amountMinor = TABLE_AMOUNTS[s];
    const outcome = await storage.applyConversion({
      attemptId: uuidv4(), clickId: run.click.clickId, conversionId: 'c', action, postbackStatus, amountMinor,
      rawAmount: amountMinor === null ? null : amountMinor.toString(), transactionId: null, offerId: null, now,
      newEarningId: uuidv4(), ledger, sourceIp: null, rawData: { table: s },
    });
    owed = outcome.owed;
    answer = { decision: outcome.decision, earning: outcome.earning };
  }
  for (const op of owed) {
    await storage.wallet.apply(op);
    await storage.settleOwedOperation(op.key, now);
  }
  if (answer.earning) run.earningId = answer.earning.earningId;
  return answer;
}

function summary(earning: EarningRecord | null | undefined): TableEarning | null {
  if (!earning) return null;
  const { status, approvalStatus, cancelReason, credited, reversedBeforeCredit, amountMinor } = earning;
  return { status, approvalStatus, cancelReason, credited, reversedBeforeCredit, amountMinor: amountMinor.toString() };
}

async function entries(context: SuiteContext, run: RowRun): Promise<LedgerEntry[]> {
  const { raw } = context.harness;
  return [...(await raw.ledgerEntries(run.click.userId)), ...(await raw.ledgerEntries(run.referrerId))];
}

/** The state machine table: every state × every step, on this store. */
export const stateMachineTheme: Theme = ({ it, expect }, ctx) => {
  for (const row of STATE_MACHINE_TABLE) {
    it(`${row.state.name} × ${row.step} → ${row.decision}`, async () => {
      const context = ctx();
      const run = await newRow(context);
      for (const s of row.state.steps) await step(context, run, s);
      const before = new Set((await entries(context, run)).map((entry) => entry.key));
      const result = await step(context, run, row.step);
      const stored = await context.harness.raw.earningsOfClick(run.click.clickId);
      const moved = (await entries(context, run)).filter((entry) => !before.has(entry.key)).map((entry) => `${entry.kind}:${entry.amountMinor}`);
      expect({
        decision: result.decision,
        earning: summary(result.earning),
        stored: summary(stored[0]),
        earnings: stored.length,
        clickStatus: (await context.harness.raw.clickOf(run.click.clickId))?.status,
        moved: moved.sort(),
      }).toEqual({
        decision: row.decision,
        earning: row.earning,
        stored: row.stored,
        earnings: row.stored === null ? 0 : 1,
        clickStatus: row.clickStatus,
        moved: row.moved,
      });
      await context.expectBalance(run.click.userId, balanceOf(await context.harness.raw.ledgerEntries(run.click.userId)));
    });
  }
};

/** The sum of entries as a decimal string (scale 2), for `expectBalance` (cached = sum of entries). */
function balanceOf(list: LedgerEntry[]): string {
  const sum = list.reduce((total, entry) => total + entry.amountMinor, 0n);
  const negative = sum < 0n;
  const abs = negative ? -sum : sum;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
