/**
 * The state machines of an earning as one table: every state an earning can be in (reached by a
 * short sequence of steps from a fresh click) × every step (the four postback actions, approve and
 * reject-approval) → the decision and its effects (the earning shown and stored, the click's
 * status, the ledger entries the step added). `decideConversion` and `decideApproval` are checked
 * against it by a unit test; the conformance theme `state-machine` drives every store through every
 * row, so the PL/pgSQL and Lua translations are held to the same table as the TypeScript.
 *
 * The click of every row: `earnUpTo` 50.00, a hold above 20.00, a referrer at 10%. Postback steps
 * carry no amount (so they earn the cap, 50.00), except `credit` (10.00: paid) and `credit_high`
 * (30.00: held).
 * @module
 */

/** A step: a postback action, or an admin's decision on a held earning. */
export type TableStep = 'credit' | 'credit_high' | 'pending' | 'reject' | 'reverse' | 'approve' | 'disapprove';

/** An earning as the table compares it (amount in minor units, as text). */
export interface TableEarning {
  status: string;
  approvalStatus: string;
  cancelReason: string | null;
  credited: boolean;
  reversedBeforeCredit: boolean;
  amountMinor: string;
}

/** A state: how it is reached, and the earning and click it leaves. */
export interface TableState {
  name: string;
  steps: readonly TableStep[];
  earning: TableEarning | null;
  clickStatus: string;
}

/** One row: a state, a step, and what the step must decide and do. */
export interface TableRow {
  state: TableState;
  step: Exclude<TableStep, 'credit_high'>;
  decision: string;
  /** The earning the outcome shows (`null`: none). */
  earning: TableEarning | null;
  /** The earning as stored after the step (`null`: there is none). */
  stored: TableEarning | null;
  clickStatus: string;
  /** Ledger entries the step added, `kind:amountMinor`, sorted. */
  moved: readonly string[];
}

/** The hold threshold, cap and commission of every row's click (minor units, ppm). */
export const TABLE_CLICK = Object.freeze({ earnUpToMinor: 5000n, holdAboveMinor: 2000n, commissionPpm: 100_000 });
/** The amount each postback step carries (minor units; `null`: none, so the cap). */
export const TABLE_AMOUNTS: Readonly<Record<Exclude<TableStep, 'approve' | 'disapprove'>, bigint | null>> = Object.freeze({
  credit: 1000n, credit_high: 3000n, pending: null, reject: null, reverse: null,
});

const e = (status: string, approvalStatus: string, cancelReason: string | null, credited: boolean, amountMinor: string, reversedBeforeCredit = false): TableEarning =>
  ({ status, approvalStatus, cancelReason, credited, reversedBeforeCredit, amountMinor });

const state = (name: string, steps: TableStep[], earning: TableEarning | null, clickStatus = 'converted'): TableState =>
  ({ name, steps, earning, clickStatus });

const NONE = state('no earning', [], null, 'pending');
const PENDING = state('recorded pending', ['pending'], e('pending', 'pending', null, false, '5000'));
const HELD = state('held', ['credit_high'], e('completed', 'pending', null, false, '3000'));
const CREDITED = state('credited', ['credit'], e('completed', 'auto_approved', null, true, '1000'));
const APPROVED = state('approved', ['credit_high', 'approve'], e('completed', 'manual_approved', null, true, '3000'));
const DISAPPROVED = state('approval rejected', ['credit_high', 'disapprove'], e('cancelled', 'rejected', 'approval_rejected', false, '3000'));
const REJECTED = state('rejected', ['reject'], e('cancelled', 'rejected', 'rejected', false, '5000'), 'rejected');
const PRE_REVERSED = state('pre-reversed', ['reverse'], e('cancelled', 'rejected', 'reversed', false, '5000', true));
const REVERSED = state('reversed after credit', ['credit', 'reverse'], e('cancelled', 'auto_approved', 'reversed', true, '1000'));
const HELD_CANCELLED = state('cancelled while held', ['credit_high', 'reverse'], e('cancelled', 'rejected', 'reversed', false, '3000'));
const NETTED = state('netted', ['reverse', 'credit'], e('cancelled', 'rejected', 'reversed', true, '5000'));

/** Every state of the table. */
export const TABLE_STATES: readonly TableState[] = [
  NONE, PENDING, HELD, CREDITED, APPROVED, DISAPPROVED, REJECTED, PRE_REVERSED, REVERSED, HELD_CANCELLED, NETTED,
];

const PAID_10 = ['credit:1000', 'referral_credit:100'];
const PAID_30 = ['credit:3000', 'referral_credit:300'];

/** A row where the step changes `to` (shown and stored). */
function changes(s: TableState, step: TableRow['step'], decision: string, to: TableEarning, moved: string[] = [], clickStatus = s.clickStatus): TableRow {
  return { state: s, step, decision, earning: to, stored: to, clickStatus, moved: [...moved].sort() };
}
/** A row where nothing changes (the outcome shows the earning as it stands, or none). */
function same(s: TableState, step: TableRow['step'], decision: string, shown: TableEarning | null = s.earning): TableRow {
  return { state: s, step, decision, earning: shown, stored: s.earning, clickStatus: s.clickStatus, moved: [] };
}
/** Postbacks that replay on a settled earning, and approvals refused because it is not held. */
function settled(s: TableState, credit: 'duplicate' | 'conflict' = 'duplicate'): TableRow[] {
  return [
    credit === 'conflict' ? same(s, 'credit', 'conflict', null) : same(s, 'credit', 'duplicate'),
    same(s, 'pending', 'duplicate'), same(s, 'reject', 'duplicate'), same(s, 'reverse', 'duplicate'),
    same(s, 'approve', 'not_held'), same(s, 'disapprove', 'not_held'),
  ];
}

/** The table: every state × every step. */
export const STATE_MACHINE_TABLE: readonly TableRow[] = [
  changes(NONE, 'credit', 'credited', e('completed', 'auto_approved', null, true, '1000'), PAID_10, 'converted'),
  changes(NONE, 'pending', 'recorded_pending', e('pending', 'pending', null, false, '5000'), [], 'converted'),
  changes(NONE, 'reject', 'rejected', e('cancelled', 'rejected', 'rejected', false, '5000'), [], 'rejected'),
  changes(NONE, 'reverse', 'pre_reversed', e('cancelled', 'rejected', 'reversed', false, '5000', true), [], 'converted'),
  same(NONE, 'approve', 'not_found', null),
  same(NONE, 'disapprove', 'not_found', null),

  // A later credit re-prices a pending earning from its own amount.
  changes(PENDING, 'credit', 'credited', e('completed', 'auto_approved', null, true, '1000'), PAID_10),
  same(PENDING, 'pending', 'duplicate'),
  changes(PENDING, 'reject', 'rejected', e('cancelled', 'rejected', 'rejected', false, '5000'), [], 'rejected'),
  changes(PENDING, 'reverse', 'cancelled', e('cancelled', 'rejected', 'reversed', false, '5000')),
  same(PENDING, 'approve', 'not_held'),
  same(PENDING, 'disapprove', 'not_held'),

  same(HELD, 'credit', 'duplicate'),
  same(HELD, 'pending', 'duplicate'),
  changes(HELD, 'reject', 'rejected', e('cancelled', 'rejected', 'rejected', false, '3000'), [], 'rejected'),
  changes(HELD, 'reverse', 'cancelled', e('cancelled', 'rejected', 'reversed', false, '3000')),
  changes(HELD, 'approve', 'applied', e('completed', 'manual_approved', null, true, '3000'), PAID_30),
  changes(HELD, 'disapprove', 'applied', e('cancelled', 'rejected', 'approval_rejected', false, '3000')),

  same(CREDITED, 'credit', 'duplicate'),
  same(CREDITED, 'pending', 'duplicate'),
  changes(CREDITED, 'reject', 'reversed', e('cancelled', 'auto_approved', 'rejected', true, '1000'), ['debit:-1000', 'referral_debit:-100'], 'rejected'),
  changes(CREDITED, 'reverse', 'reversed', e('cancelled', 'auto_approved', 'reversed', true, '1000'), ['debit:-1000', 'referral_debit:-100']),
  same(CREDITED, 'approve', 'not_held'),
  same(CREDITED, 'disapprove', 'not_held'),

  same(APPROVED, 'credit', 'duplicate'),
  same(APPROVED, 'pending', 'duplicate'),
  changes(APPROVED, 'reject', 'reversed', e('cancelled', 'manual_approved', 'rejected', true, '3000'), ['debit:-3000', 'referral_debit:-300'], 'rejected'),
  changes(APPROVED, 'reverse', 'reversed', e('cancelled', 'manual_approved', 'reversed', true, '3000'), ['debit:-3000', 'referral_debit:-300']),
  same(APPROVED, 'approve', 'unchanged'),
  same(APPROVED, 'disapprove', 'not_held'),

  same(DISAPPROVED, 'credit', 'duplicate'),
  same(DISAPPROVED, 'pending', 'duplicate'),
  same(DISAPPROVED, 'reject', 'duplicate'),
  same(DISAPPROVED, 'reverse', 'duplicate'),
  same(DISAPPROVED, 'approve', 'not_held'),
  same(DISAPPROVED, 'disapprove', 'unchanged'),

  // Rejected before anything was paid: a credit now is a new claim on a rejected click.
  ...settled(REJECTED, 'conflict'),
  // A credit after a reversal that came first: the credit and its reversal are written together.
  changes(PRE_REVERSED, 'credit', 'netted', e('cancelled', 'rejected', 'reversed', true, '5000'),
    ['credit:5000', 'referral_credit:500', 'debit:-5000', 'referral_debit:-500']),
  ...settled(PRE_REVERSED).slice(1),
  ...settled(REVERSED),
  ...settled(HELD_CANCELLED),
  ...settled(NETTED),
];
