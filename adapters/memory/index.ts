/**
 * `clickcredit/memory`: the in-process reference store. Every method body runs synchronously
 * between its first and last line (no `await` inside), which makes each call one critical section
 * under Node's single thread: concurrent async callers can never interleave a read and a write.
 * @module
 */
import {
  ConflictError,
  type ApprovalCommand,
  type ApprovalOutcome,
  type ClickRecord,
  type ClickStore,
  type ConversionCommand,
  type ConversionOutcome,
  type EarningCursor,
  type EarningRecord,
  type LedgerEntry,
  type PostbackAttempt,
  type WalletApplyResult,
  type WalletOperation,
  type WalletPort,
} from 'clickcredit';
import {
  attemptOfConversion,
  decideApproval as decideApprovalOf,
  decideConversion,
  eventOfApproval,
  eventOfConversion,
  riskCounterKeys,
  usesRiskCounters,
  type ConversionTransition,
  type DayCount,
  type RiskCounters,
} from 'clickcredit/store';
import type { RawReads } from 'clickcredit/testing';
import { memoryAdmin, memoryLeases } from './admin.js';
import { MemoryEvents, memoryEvents, recordConversionEvent, recordEvent } from './events.js';
import { ClickSlot } from './click-slot.js';
import { flat } from './flat.js';

type OutboxRow = WalletOperation & { settledAt: Date | null };

/** The whole state of a memory store; read raw (tests) through {@link createMemoryRawReads}. */
interface MemoryState {
  /** Clicks by id, each with its conversions' earning ids. */
  clicks: Map<string, ClickSlot>;
  earnings: Map<string, EarningRecord>;
  entriesByKey: Map<string, LedgerEntry>;
  entriesByUser: Map<string, LedgerEntry[]>;
  balances: Map<string, bigint>;
  outbox: Map<string, OutboxRow>;
  attempts: PostbackAttempt[];
  nextEntryId: number;
  /** (network, network transaction id) → click id: the unique constraint of user-keyed clicks. */
  networkTransactions: Map<string, string>;
  /** Risk counters by `<scope>\u0000<day>\u0000<subject>` (scope `user` or `ip`). */
  riskCounters: Map<string, DayCount>;
  /** Worker leases by name. */
  leases: Map<string, { owner: string; expiresAt: number }>;
  /** The event outbox, in recording order. */
  events: MemoryEvents;
}

/** A memory store: a {@link ClickStore} whose state lives as long as the object. */
export type MemoryStore = ClickStore;

/** The state behind each memory store, for its test-only raw reads (kept off the store object). */
const statesOfStores = new WeakMap<ClickStore, MemoryState>();

/**
 * Test hook: raw reads of a memory store's state (the conformance suite's `RawReads`), straight
 * from its maps rather than through the store's answers. Not part of the storage port.
 */
export function createMemoryRawReads(store: MemoryStore): RawReads {
  const state = statesOfStores.get(store);
  if (!state) throw new TypeError('createMemoryRawReads: not a store made by createMemoryStore()');
  return {
    async ledgerEntries(userId) {
      return (state.entriesByUser.get(userId) ?? []).map((e) => ({ ...e }));
    },
    async cachedBalance(userId) {
      return state.balances.get(userId) ?? 0n;
    },
    async earningsOfClick(clickId) {
      return [...state.earnings.values()].filter((e) => e.clickId === clickId).map((e) => ({ ...e }));
    },
    async outboxOfEarning(earningId) {
      return [...state.outbox.values()].filter((row) => row.earningId === earningId).map((row) => ({ ...row }));
    },
    async clickOf(clickId) {
      const click = state.clicks.get(clickId)?.click;
      return click ? { ...click } : null;
    },
  };
}

/** Creates an empty in-memory store. State lives as long as the returned object. */
export function createMemoryStore(): MemoryStore {
  const state: MemoryState = {
    clicks: new Map(),
    earnings: new Map(),
    entriesByKey: new Map(),
    entriesByUser: new Map(),
    balances: new Map(),
    outbox: new Map(),
    attempts: [],
    nextEntryId: 1,
    leases: new Map(),
    networkTransactions: new Map(),
    riskCounters: new Map(),
    events: new MemoryEvents(),
  };

  const wallet: WalletPort = {
    async apply(op) {
      return postEntry(state, op);
    },
    async getBalance(userId) {
      return state.balances.get(userId) ?? 0n;
    },
  };

  const store: MemoryStore = {
    name: 'memory',
    supportsInlineLedger: true,
    wallet,
    admin: memoryAdmin(state, (op) => postEntry(state, op), (event) => recordEvent(state.events, event)),
    leases: memoryLeases(state),
    events: memoryEvents(state.events),

    async insertClick(click) {
      if (state.clicks.has(click.clickId)) throw new ConflictError('Click id already exists');
      claimNetworkTransaction(state, click);
      // The URLs are built by concatenation: kept flat (see flat.ts).
      flat(click.redirectUrl);
      flat(click.postbackUrl);
      state.clicks.set(flat(click.clickId), new ClickSlot({ ...click }));
    },

    async recordVisit(clickId, at) {
      const slot = state.clicks.get(clickId);
      if (!slot) return null;
      const click = slot.click;
      const visited: ClickRecord = {
        ...click,
        visitCount: click.visitCount + 1,
        firstVisitAt: click.firstVisitAt ?? at,
        lastVisitAt: at,
        updatedAt: at,
      };
      slot.click = visited;
      return { ...visited };
    },

    async getClick(clickId) {
      const click = state.clicks.get(clickId)?.click;
      return click ? { ...click } : null;
    },

    async applyConversion(command) {
      return applyConversion(state, command);
    },

    async recordPostbackAttempt(attempt) {
      state.attempts.push(attemptRow(attempt));
    },

    async listPostbackAttempts(clickId) {
      return state.attempts.filter((a) => a.clickId === clickId).map((a) => ({ ...a, rule: a.rule ?? null }));
    },

    async getEarning(earningId) {
      const earning = state.earnings.get(earningId);
      return earning ? { ...earning } : null;
    },

    async listEarnings({ userId, limit, after }) {
      return [...state.earnings.values()]
        .filter((e) => e.userId === userId && (after === null || isAfter(e, after)))
        .sort(newestFirst)
        .slice(0, limit)
        .map((e) => ({ ...e }));
    },

    async decideApproval(command) {
      return decideApproval(state, command);
    },

    async expireClicks(now, limit) {
      let expired = 0;
      for (const slot of state.clicks.values()) {
        if (expired >= limit) break;
        const click = slot.click;
        if (click.status === 'pending' && click.expiresAt.getTime() <= now.getTime()) {
          slot.click = { ...click, status: 'expired', updatedAt: now };
          expired += 1;
        }
      }
      return expired;
    },

    async listOwedOperations(limit) {
      return [...state.outbox.values()]
        .filter((row) => row.settledAt === null)
        .slice(0, limit)
        .map(({ settledAt: _settled, ...op }) => ({ ...op }));
    },

    async settleOwedOperation(key, at) {
      const row = state.outbox.get(key);
      if (row && row.settledAt === null) state.outbox.set(key, outboxRow(row, at));
    },

    async close() {},
  };
  statesOfStores.set(store, state);
  return store;
}

function applyConversion(state: MemoryState, command: ConversionCommand): ConversionOutcome {
  let slot = state.clicks.get(command.clickId);
  const click = slot?.click ?? null;
  const earningId = slot?.earningOf(command.conversionId);
  const earning = earningId === undefined ? null : (state.earnings.get(earningId) ?? null);
  const counterKeys = counterKeysOf(click ?? command.clickIfAbsent ?? null, command);
  const counters: RiskCounters = {
    user: counterKeys.user === null ? null : (state.riskCounters.get(counterKeys.user) ?? ZERO),
    ip: counterKeys.ip === null ? null : (state.riskCounters.get(counterKeys.ip) ?? ZERO),
  };
  // A virtual click whose (network, transaction id) another click id holds: already someone's.
  const virtualKey = click === null && command.clickIfAbsent ? networkTransactionKey(command.clickIfAbsent) : null;
  const taken = virtualKey === null ? undefined : state.networkTransactions.get(virtualKey);
  const transition: ConversionTransition = taken !== undefined && taken !== command.clickId
    ? { decision: 'conflict', click: null, clickCreated: false, earning: null, earningCreated: false, earningChanged: false, operations: [], rule: null, counted: false }
    : decideConversion(click, earning, command, counters);

  // The created click is the command's virtual click: its (network, transaction id) is free or its own (checked above).
  if (transition.clickCreated && transition.click && virtualKey !== null) state.networkTransactions.set(virtualKey, transition.click.clickId);
  if (transition.click) {
    if (slot === undefined) {
      slot = new ClickSlot(transition.click);
      state.clicks.set(flat(transition.click.clickId), slot);
    } else {
      slot.click = transition.click;
    }
  }
  if (transition.counted && transition.earning) {
    for (const key of [counterKeys.user, counterKeys.ip]) {
      if (key === null) continue;
      const before = state.riskCounters.get(key) ?? ZERO;
      state.riskCounters.set(key, { count: before.count + 1, amountMinor: before.amountMinor + transition.earning.amountMinor });
    }
  }
  if (transition.earning && transition.earningChanged) {
    state.earnings.set(transition.earning.earningId, transition.earning);
    if (transition.earningCreated) slot!.addEarning(command.conversionId, transition.earning.earningId);
  }
  const owed = moveMoney(state, transition.operations, command.ledger);
  state.attempts.push(attemptOfConversion(command, transition));
  const event = command.recordEvent === false ? null : eventOfConversion(transition, command.attemptId, command.now);
  // The row keeps what the event is derived from (the earning is stored already), not a copy.
  if (event) recordConversionEvent(state.events, event, transition.decision, transition.earning!, command.attemptId);
  return { decision: transition.decision, earning: transition.earning ? { ...transition.earning } : null, owed, rule: transition.rule, event };
}

const ZERO: DayCount = Object.freeze({ count: 0, amountMinor: 0n });

/** The counter keys a step reads (`null`: cap off, no IP, or no click to key on). */
function counterKeysOf(click: ClickRecord | null, command: ConversionCommand): { user: string | null; ip: string | null } {
  if (click === null || !usesRiskCounters(command.risk)) return { user: null, ip: null };
  const keys = riskCounterKeys(click, command);
  return {
    user: keys.userId === null ? null : `user\u0000${keys.day}\u0000${keys.userId}`,
    ip: keys.ip === null ? null : `ip\u0000${keys.day}\u0000${keys.ip}`,
  };
}

/** The click id holding a click's (network, networkTransactionId), if any. */
/** The key of a click's (network, networkTransactionId) in `networkTransactions` (flat), or `null`. */
function networkTransactionKey(click: ClickRecord): string | null {
  if (click.network === null || click.networkTransactionId === null) return null;
  return flat(`${click.network}\u0000${click.networkTransactionId}`);
}

/** The unique (network, networkTransactionId) of user-keyed clicks, as the SQL stores' constraint. */
function claimNetworkTransaction(state: MemoryState, click: ClickRecord): void {
  const key = networkTransactionKey(click);
  if (key === null) return;
  const holder = state.networkTransactions.get(key);
  if (holder !== undefined && holder !== click.clickId) throw new ConflictError('Network transaction id already exists');
  state.networkTransactions.set(key, click.clickId);
}

function decideApproval(state: MemoryState, command: ApprovalCommand): ApprovalOutcome {
  const earning = state.earnings.get(command.earningId);
  if (!earning) return { decision: 'not_found', earning: null, owed: [] };
  const transition = decideApprovalOf(earning, command);
  if (!transition.earningChanged) return { decision: transition.decision, earning: { ...earning }, owed: [] };
  const decided = transition.earning;
  state.earnings.set(decided.earningId, decided);
  const owed = moveMoney(state, transition.operations, command.ledger);
  const event = command.recordEvent === false ? null : eventOfApproval(decided, command.approve, command.now);
  if (event) recordEvent(state.events, event);
  return { decision: 'applied', earning: { ...decided }, owed, event };
}

/** Inline: ledger entries now. Outbox: recorded as owed and returned for the core to apply. */
function moveMoney(state: MemoryState, operations: WalletOperation[], ledger: 'inline' | 'outbox'): WalletOperation[] {
  if (ledger === 'inline') {
    for (const op of operations) postEntry(state, op);
    return [];
  }
  const owed: WalletOperation[] = [];
  for (const op of operations) {
    if (state.outbox.has(op.key)) continue;
    state.outbox.set(flat(op.key), outboxRow(op, null));
    owed.push({ ...op });
  }
  return owed;
}

/** Appends one ledger entry unless its key is already there; keeps the cached balance in step. */
function postEntry(state: MemoryState, op: WalletOperation): WalletApplyResult {
  const existing = state.entriesByKey.get(op.key);
  if (existing) {
    if (existing.userId !== op.userId || existing.amountMinor !== op.amountMinor) {
      throw new ConflictError('Idempotency key already used for a different wallet operation');
    }
    return { duplicate: true, balanceMinor: state.balances.get(op.userId) ?? 0n };
  }
  // One object literal (one shape for every entry), its key flattened (see flat.ts).
  const entry: LedgerEntry = {
    key: flat(op.key),
    userId: op.userId,
    kind: op.kind,
    amountMinor: op.amountMinor,
    earningId: op.earningId,
    reversesKey: op.reversesKey,
    reason: op.reason,
    createdAt: op.createdAt,
    entryId: String(state.nextEntryId++),
  };
  state.entriesByKey.set(entry.key, entry);
  const list = state.entriesByUser.get(op.userId);
  if (list === undefined) state.entriesByUser.set(op.userId, [entry]);
  else list.push(entry);
  const balance = (state.balances.get(op.userId) ?? 0n) + op.amountMinor;
  state.balances.set(op.userId, balance);
  return { duplicate: false, balanceMinor: balance };
}

/** A stored copy of an outbox row (one object literal: one shape for every row). */
function outboxRow(op: WalletOperation, settledAt: Date | null): OutboxRow {
  return {
    key: op.key,
    userId: op.userId,
    kind: op.kind,
    amountMinor: op.amountMinor,
    earningId: op.earningId,
    reversesKey: op.reversesKey,
    reason: op.reason,
    createdAt: op.createdAt,
    settledAt,
  };
}

/** A stored copy of an audit row. */
function attemptRow(attempt: PostbackAttempt): PostbackAttempt {
  return {
    attemptId: flat(attempt.attemptId),
    clickId: attempt.clickId,
    conversionId: attempt.conversionId,
    postbackStatus: attempt.postbackStatus,
    amount: attempt.amount,
    sourceIp: attempt.sourceIp,
    rawData: attempt.rawData,
    decision: attempt.decision,
    earningId: attempt.earningId,
    message: attempt.message,
    receivedAt: attempt.receivedAt,
    rule: attempt.rule ?? null,
  };
}

function isAfter(earning: EarningRecord, cursor: EarningCursor): boolean {
  const t = earning.createdAt.getTime();
  const c = cursor.createdAt.getTime();
  return t < c || (t === c && earning.earningId < cursor.earningId);
}

function newestFirst(a: EarningRecord, b: EarningRecord): number {
  const dt = b.createdAt.getTime() - a.createdAt.getTime();
  if (dt !== 0) return dt;
  return a.earningId < b.earningId ? 1 : a.earningId > b.earningId ? -1 : 0;
}
