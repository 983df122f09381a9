/**
 * handleNetworkCallback: a callback of a configured network (an offerwall or a tracker), end to
 * end. Authenticated as the network documents, its fields read where the network puts them, its
 * status word mapped, then the same atomic store step as any postback, and the reply the network
 * expects. Refusals are audited and answered in the network's terms; they never throw.
 *
 * User-keyed networks (offerwalls) name a user and their own transaction id, not a click of ours:
 * the conversion goes through a virtual click, whose id is derived from (network, transaction id)
 * and which the store inserts in the same atomic step when it is absent (`clickIfAbsent`). So the
 * conversion is idempotent by (network, transaction id), and a reversal by the same transaction
 * id (even long after, even before its credit) finds it.
 * @module
 */
import { NotFoundError, UnavailableError, ValidationError } from '../errors.js';
import { formatAmount, parseAmount, type MoneyOptions } from '../money.js';
import { networkCallbackOf } from '../networks/callback.js';
import type { NetworkCallback, NetworkDefinition, NetworkRefusal, NetworkReply, ReplyContext } from '../networks/types.js';
import type { ResolvedOptions } from '../options.js';
import { settleOwed } from '../owed.js';
import { emitEvent } from '../events/emit.js';
import type { ConversionCommand, ConversionOutcome } from '../ports.js';
import type { PostbackAction, PostbackAttempt, PostbackDecisionCode } from '../records.js';
import { IdentifierSchema, type PostbackResult } from '../schemas.js';
import { resolveRiskPolicy, type RiskPolicy } from '../risk.js';
import { guardStorage } from '../storage-guard.js';
import { isVirtualClickId, userKeyedClick, userKeyedClickId } from '../user-keyed.js';
import { goalConversionId } from '../conversion.js';
import { recordAttempt } from './handle-postback.js';
import { isClickIdText, isIdentifierText, type PostbackRequest } from './request.js';
import { verifyAll } from './verifier.js';

/** A configured network with its settings parsed at start-up. */
export interface ResolvedNetwork {
  name: string;
  definition: NetworkDefinition;
  /** `rate` at {@link RATE_SCALE} decimal places; `null`: 1. */
  rateScaled: bigint | null;
  /** `maxAmount` in minor units; `null`: the tracker's money maximum. */
  maxMinor: bigint | null;
  secretParams: readonly string[];
  /** The network's own risk rules; `undefined`: the tracker's. */
  risk: RiskPolicy | null | undefined;
}

/** Decimal places a rate and a network amount are read with before conversion. */
export const RATE_SCALE = 18;

/** What {@link ClickTracker.handleNetworkCallback} answers: the network's reply and what was decided. */
export interface NetworkCallbackOutcome {
  reply: NetworkReply;
  /** The store's (or the refusal's) decision; `unavailable` when the store could not be reached. */
  decision: PostbackDecisionCode | 'unavailable';
  /** The earning after the step, when the conversion reached the store and has one. */
  result: PostbackResult | null;
}

type NetworkCommand = ConversionCommand;

class Refusal extends Error {
  constructor(
    readonly code: NetworkRefusal,
    readonly decision: PostbackDecisionCode,
    message: string,
  ) {
    super(message);
  }
}

/** Handles one callback of the network configured as `name`; see {@link ClickTracker.handleNetworkCallback}. */
export async function handleNetworkCallback(o: ResolvedOptions, name: string, request: PostbackRequest): Promise<NetworkCallbackOutcome> {
  const network = Object.hasOwn(o.networks, name) ? o.networks[name] : undefined;
  if (network === undefined) throw new NotFoundError('Network not found');
  const def = network.definition;
  const now = o.clock.now();
  const attemptId = o.ids.uuid();
  const sourceIp = request.sourceIp ?? null;
  const audit: Omit<PostbackAttempt, 'decision' | 'message'> = {
    attemptId,
    clickId: null,
    conversionId: null,
    postbackStatus: null,
    amount: null,
    sourceIp,
    rawData: {},
    earningId: null,
    receivedAt: now,
    rule: null,
  };
  // Set to the callback once it is read (a refusal before that sees the request with no fields).
  const context: ReplyContext = { callback: null as unknown as NetworkCallback, transactionId: null, result: null };

  let callback: NetworkCallback;
  try {
    callback = networkCallbackOf(name, request, o.publicUrl);
  } catch (error) {
    context.callback = { ...request, network: name, params: {}, fullUrl: `${o.publicUrl}/postback/${encodeURIComponent(name)}` };
    audit.rawData = { unreadable: safeText({ query: request.query, body: request.body }) };
    return refuse(o, name, def, audit, context, new Refusal('invalid_input', 'invalid_input', (error as Error).message));
  }
  context.callback = callback;
  audit.rawData = storedParams(name, callback.params, network.secretParams);

  const checked = verifyAll(def.auth, callback);
  const verdict = checked instanceof Promise ? await checked : checked;
  if (!verdict.ok) {
    prefillAudit(network, callback, audit);
    o.logger.warn('network callback refused by verification', { network: name, reason: verdict.reason, sourceIp });
    return refuse(o, name, def, audit, context, new Refusal('forbidden', 'forbidden', `verification refused: ${verdict.reason}`));
  }

  let command: NetworkCommand;
  // The transaction key of a user-keyed callback: its virtual click id is derived once, when the
  // click is built, or for the audit row of a refusal before that.
  const transactionKey: { value: string | null } = { value: null };
  try {
    command = await toCommand(o, network, callback, audit, context, { attemptId, now, sourceIp, transactionKey });
  } catch (error) {
    if (error instanceof Refusal) {
      if (audit.clickId === null && transactionKey.value !== null) audit.clickId = userKeyedClickId(name, transactionKey.value);
      return refuse(o, name, def, audit, context, error);
    }
    if (error instanceof UnavailableError) return { reply: def.replies.refusal('unavailable', context), decision: 'unavailable', result: null };
    throw error;
  }

  let outcome: ConversionOutcome;
  try {
    if (!o.recordEvents) command.recordEvent = false;
    outcome = await guardStorage(o, 'applyConversion', () => o.storage.applyConversion(command));
    // Awaited only when there is something to do, as on the generic route.
    if (outcome.owed.length > 0) await settleOwed(o, outcome.owed);
    if (outcome.event && o.onEvent !== null) await emitEvent(o, outcome.event);

  } catch (error) {
    // Nothing was applied (or it was, and the network's retry will answer duplicate): retry later.
    if (error instanceof UnavailableError) return { reply: def.replies.refusal('unavailable', context), decision: 'unavailable', result: null };
    throw error;
  }
  const { decision, earning } = outcome;
  context.result =
    earning === null
      ? null
      : {
          earningId: earning.earningId,
          clickId: earning.clickId,
          conversionId: earning.conversionId,
          status: earning.status,
          approvalStatus: earning.approvalStatus,
          amount: formatAmount(earning.amountMinor, o.money.scale),
          duplicate: decision === 'duplicate',
          decision,
        };
  // The store wrote the audit row of these itself, in its atomic step.
  if (decision === 'unknown_click') return { reply: def.replies.refusal('unknown_click', context), decision, result: null };
  if (decision === 'expired') return { reply: def.replies.refusal('expired', context), decision, result: null };
  // Conflicts and risk refusals (offer mismatch, too soon, too late): refused, nothing moved.
  if (decision === 'conflict' || earning === null) return { reply: def.replies.refusal('conflict', context), decision, result: context.result };
  if (decision === 'duplicate') return { reply: (def.replies.duplicate ?? def.replies.success)(context), decision, result: context.result };
  return { reply: def.replies.success(context), decision, result: context.result };
}

/** Audits a refused callback and answers the network's refusal reply (refusals never throw). */
async function refuse(
  o: ResolvedOptions,
  name: string,
  def: NetworkDefinition,
  audit: Omit<PostbackAttempt, 'decision' | 'message'>,
  context: ReplyContext,
  refusal: Refusal,
): Promise<NetworkCallbackOutcome> {
  await recordAttempt(o, { ...audit, decision: refusal.decision, message: `${name}: ${refusal.message}` });
  return { reply: def.replies.refusal(refusal.code, context), decision: refusal.decision, result: null };
}

/** A network's field, or `null` when the network reads none there. */
function readField(reader: ((c: NetworkCallback) => string | null) | undefined, callback: NetworkCallback): string | null {
  return reader === undefined ? null : reader(callback);
}

async function toCommand(
  o: ResolvedOptions,
  network: ResolvedNetwork,
  callback: NetworkCallback,
  audit: Omit<PostbackAttempt, 'decision' | 'message'>,
  context: ReplyContext,
  at: { attemptId: string; now: Date; sourceIp: string | null; transactionKey: { value: string | null } },
): Promise<NetworkCommand> {
  const def = network.definition;
  const fields = def.fields;

  const rawTransaction = readField(fields.transactionId, callback);
  const goal = nonEmpty(readField(fields.goal, callback));
  let transactionId: string | null = nonEmpty(rawTransaction);
  if (transactionId !== null && def.transactionIdOf) transactionId = def.transactionIdOf(transactionId, callback);
  if (transactionId !== null) checkId(transactionId, 'transaction id');
  context.transactionId = transactionId ?? nonEmpty(rawTransaction);

  const rawStatus = nonEmpty(readField(fields.status, callback));
  const statusWord = (rawStatus ?? def.defaultStatus)?.toLowerCase() ?? null;
  audit.postbackStatus = statusWord?.slice(0, 64) ?? null;

  let clickId: string | null = null;
  let conversionId: string;
  let userId: string | null = null;
  if (def.keyedBy === 'user') {
    if (transactionId === null) throw new Refusal('invalid_input', 'invalid_input', 'the transaction id is required (it is the idempotency key)');
    const key = goal === null ? transactionId : `${transactionId}:${goal}`;
    // Each goal of a multi-goal offer is its own transaction: its own virtual click, paid once.
    at.transactionKey.value = key;
    conversionId = key;
  } else {
    const given = nonEmpty(readField(fields.clickId, callback));
    if (given === null) throw new Refusal('invalid_input', 'invalid_input', 'the click id is required');
    audit.clickId = given.slice(0, 256);
    if (!isClickIdText(given)) throw new Refusal('invalid_input', 'invalid_input', 'the click id must be a UUID');
    // A virtual click belongs to its own user-keyed network: a tracker's sub-id can never move it.
    if (isVirtualClickId(given)) throw new Refusal('unknown_click', 'unknown_click', 'user-keyed conversions are received on their own network route');
    clickId = given;
    const base = transactionId ?? given;
    // A goal names its conversion (`goal:<id>`), as on the generic route; the product decides which goals pay.
    conversionId = goal === null ? base : goalConversionId(goal);
  }
  audit.clickId = clickId;
  audit.conversionId = conversionId.slice(0, 256);

  if (statusWord === null) throw new Refusal('invalid_input', 'invalid_input', 'the status is required');
  let action: PostbackAction | undefined = Object.hasOwn(def.statusMap, statusWord) ? def.statusMap[statusWord] : undefined;
  if (action === undefined) throw new Refusal('invalid_input', 'invalid_input', `unknown status "${statusWord.slice(0, 40)}"`);

  let rawAmount = readField(fields.amount, callback);
  audit.amount = rawAmount?.slice(0, 64) ?? null;
  if (rawAmount === null) throw new Refusal('invalid_amount', 'invalid_amount', 'the amount field is missing: a network callback must carry its amount');
  if (rawAmount === '') throw new Refusal('invalid_amount', 'invalid_amount', 'the amount field is present but empty');
  if (rawAmount.startsWith('-')) {
    // The direction comes from the status or the sign, never from negating a negative amount again.
    if (def.negativeAmount !== 'reverse') throw new Refusal('invalid_amount', 'invalid_amount', 'the amount must not be negative');
    action = 'reverse';
    rawAmount = rawAmount.slice(1);
  }
  let amountMinor: bigint;
  try {
    amountMinor = convertAmount(rawAmount, network.rateScaled, o.money);
  } catch (error) {
    if (error instanceof ValidationError) throw new Refusal('invalid_amount', 'invalid_amount', `the amount ${error.message.replace(/^amount /, '')}`);
    throw error;
  }
  if (amountMinor === 0n && (action === 'credit' || action === 'pending')) throw new Refusal('invalid_amount', 'invalid_amount', 'the amount must be positive');
  const maxMinor = network.maxMinor ?? o.money.maxMinor;
  if (def.keyedBy === 'click' && network.maxMinor !== null && amountMinor > maxMinor) amountMinor = maxMinor;

  const offerId = nonEmpty(readField(fields.offerId, callback));
  if (offerId !== null) checkId(offerId, 'offer id');
  const conversionIp = nonEmpty(readField(fields.conversionIp, callback));

  let clickIfAbsent: NetworkCommand['clickIfAbsent'] = null;
  if (def.keyedBy === 'user') {
    const networkUser = nonEmpty(readField(fields.userId, callback));
    if (networkUser === null) throw new Refusal('invalid_input', 'invalid_input', 'the user id is required');
    const mapped = def.resolveUser ? def.resolveUser(networkUser, callback) : networkUser;
    const resolved = isThenable(mapped) ? await mapped : mapped;
    if (resolved === null || resolved === undefined || resolved === '') {
      throw new Refusal('unknown_user', 'invalid_input', `unknown user "${networkUser.slice(0, 64)}": refused, nothing credited`);
    }
    userId = checkId(resolved, 'user id');
    const found = o.referrals ? o.referrals.referrerOf(userId) : null;
    const referrer = isThenable(found) ? await found : found;
    const referrerId = referrer && referrer !== userId && o.commissionPpm > 0 ? referrer : null;
    clickIfAbsent = userKeyedClick({
      network: network.name,
      transactionId: conversionId,
      userId,
      ...(def.productId !== undefined ? { productId: def.productId } : {}),
      offerId,
      earnUpToMinor: maxMinor,
      referrerId,
      commissionPpm: o.commissionPpm,
      holdAboveMinor: o.holdAboveMinor,
      ipAddress: conversionIp,
      now: at.now,
    });
    clickId = clickIfAbsent.clickId;
    audit.clickId = clickId;
  }
  if (clickId === null) throw new Error('clickcredit: a network callback reached the store step without a click id');

  return {
    attemptId: at.attemptId,
    clickId,
    conversionId,
    action,
    postbackStatus: statusWord,
    amountMinor,
    rawAmount: audit.amount,
    transactionId,
    offerId,
    now: at.now,
    newEarningId: o.ids.uuid(),
    ledger: o.ledgerMode,
    sourceIp: at.sourceIp,
    rawData: audit.rawData,
    clickIfAbsent,
    conversionIp,
    risk: network.risk === undefined ? o.risk : network.risk,
  };
}

/**
 * The network's amount in the wallet's minor units: `amount * rate`, exactly (both read with
 * {@link RATE_SCALE} decimals), then to the wallet's scale with the host's rounding mode (by
 * default an amount that does not fit is refused, never silently rounded).
 */
export function convertAmount(raw: string, rateScaled: bigint | null, money: MoneyOptions): bigint {
  if (rateScaled === null) return parseAmount(raw, money);
  const wide = { ...money, scale: RATE_SCALE, rounding: 'reject' as const, maxMinor: 10n ** 60n };
  const product = parseAmount(raw, wide) * rateScaled;
  return parseAmount(formatAmount(product, RATE_SCALE * 2), money);
}

/** Parses a network's `rate` and `maxAmount` at start-up. */
export function resolveNetwork(name: string, definition: NetworkDefinition, money: MoneyOptions): ResolvedNetwork {
  const wide = { ...money, scale: RATE_SCALE, rounding: 'reject' as const, maxMinor: 10n ** 60n };
  const rateScaled = definition.rate === undefined ? null : parseAmount(definition.rate, wide, `networks.${name}.rate`);
  if (rateScaled === 0n) throw new TypeError(`clickcredit networks.${name}: rate must be positive`);
  const maxMinor = definition.maxAmount === undefined ? null : parseAmount(definition.maxAmount, money, `networks.${name}.maxAmount`);
  const secretParams = [...new Set([...(definition.secretParams ?? []), ...definition.auth.flatMap((a) => a.secretParams ?? [])])];
  const risk = definition.risk === undefined ? undefined : resolveRiskPolicy(definition.risk, money);
  return { name, definition, rateScaled, maxMinor, secretParams, risk };
}

/**
 * The audit row's click, conversion, status and amount read before authentication, so a refused
 * callback is found under the click it names ("why was I not credited?"). Best effort: nothing
 * read here is trusted, and a field that cannot be read leaves the column empty.
 */
function prefillAudit(network: ResolvedNetwork, callback: NetworkCallback, audit: Omit<PostbackAttempt, 'decision' | 'message'>): void {
  const { fields, keyedBy, transactionIdOf } = network.definition;
  try {
    let tx = nonEmpty(fields.transactionId(callback));
    if (tx !== null && transactionIdOf) tx = transactionIdOf(tx, callback);
    const goal = fields.goal ? nonEmpty(fields.goal(callback)) : null;
    if (keyedBy === 'user' && tx !== null && IdentifierSchema.safeParse(tx).success) {
      const key = goal === null ? tx : `${tx}:${goal}`;
      audit.clickId = userKeyedClickId(network.name, key);
      audit.conversionId = key.slice(0, 256);
    } else if (keyedBy === 'click' && fields.clickId) {
      audit.clickId = nonEmpty(fields.clickId(callback))?.slice(0, 256) ?? null;
      audit.conversionId = tx?.slice(0, 256) ?? null;
    }
    audit.amount = fields.amount(callback)?.slice(0, 64) ?? null;
    audit.postbackStatus = (fields.status ? nonEmpty(fields.status(callback)) : null)?.slice(0, 64) ?? null;
  } catch {
    // A reader that throws on a malformed callback: the row keeps what it has.
  }
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}

/** `IdentifierSchema`'s check (it trims, then checks the trimmed text), without a schema run. */
function checkId(value: string, what: string): string {
  if (!isIdentifierText(value.trim())) throw new Refusal('invalid_input', 'invalid_input', `the ${what} must be 1 to 256 characters without control characters`);
  return value;
}

/**
 * The audit row's (and the earning's) copy of a callback's params: `network` first, then every
 * parameter but the secret ones, in one object (what `{ network, ...withoutSecrets(params) }` gives).
 */
function storedParams(name: string, params: Readonly<Record<string, unknown>>, secretParams: readonly string[]): Record<string, unknown> {
  const stored: Record<string, unknown> = { network: name };
  for (const key in params) {
    if (secretParams.length > 0 && secretParams.includes(key)) continue;
    // As a spread would: a `__proto__` field is an own property, never the prototype.
    if (key === '__proto__') Object.defineProperty(stored, key, { value: params[key], enumerable: true, writable: true, configurable: true });
    else stored[key] = params[key];
  }
  return stored;
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function safeText(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 2000);
  } catch {
    return '[unserialisable]';
  }
}
