/**
 * handlePostback: the stateless half of a postback (merge, verify, validate, parse money, map
 * the status), then one atomic store step, then the owed wallet operations if any.
 * @module
 */
import {
  ClickExpiredError,
  ConflictError,
  NotFoundError,
  PostbackForbiddenError,
  ValidationError,
} from '../errors.js';
import { goalConversionId } from '../conversion.js';
import { isVirtualClickId } from '../user-keyed.js';
import { formatAmount, parseAmount } from '../money.js';
import type { ResolvedOptions } from '../options.js';
import type { ConversionCommand, ConversionOutcome, RiskRefusal } from '../ports.js';
import type { PostbackAction, PostbackAttempt, PostbackDecisionCode } from '../records.js';
import type { PostbackParams, PostbackResult } from '../schemas.js';
import { guardStorage } from '../storage-guard.js';
import { settleOwed } from '../owed.js';
import { emitEvent } from '../events/emit.js';
import { isClickIdText, isIdentifierText, mergePostbackParams, readPostbackFields, type PostbackFields, type PostbackRequest } from './request.js';
import { DEFAULT_POSTBACK_STATUS } from './status-map.js';
import { verifyAll } from './verifier.js';

/** Handles one postback end to end; see {@link ClickTracker.handlePostback}. */
export async function handlePostback(options: ResolvedOptions, request: PostbackRequest): Promise<PostbackResult> {
  const now = options.clock.now();
  const attemptId = options.ids.uuid();
  const sourceIp = request.sourceIp ?? null;
  let params: PostbackParams;
  try {
    params = mergePostbackParams(request);
  } catch (error) {
    const unreadable = { unreadable: safeText({ query: request.query, body: request.body }) };
    return recordRefusal(options, auditRow(attemptId, unreadable, NO_FIELDS, sourceIp, now, 'invalid_input', (error as Error).message), error as Error);
  }
  // Each field is read once, here; every check and the command use these values.
  const fields = readPostbackFields(params);
  // The merged params are this call's own object (never the caller's), so without secret
  // parameters to drop they are stored as they are, not copied.
  const stored = options.secretParams.length === 0 ? params : withoutSecrets(params, options.secretParams);

  // No verifiers (allowUnverifiedPostbacks): nothing to run, no verifiable copy of the request.
  if (options.verifiers.length > 0) {
    // Object.assign rather than `{ ...request, params }`: a key added after a spread is slow on Node 20's V8.
    const checked = verifyAll(options.verifiers, Object.assign({}, request, { params }));
    const verdict = checked instanceof Promise ? await checked : checked;
    if (!verdict.ok) {
      options.logger.warn('postback refused by verification', { reason: verdict.reason, sourceIp });
      // The reason goes to the audit row for support, never to the caller.
      return refuse(options, attemptId, stored, fields, sourceIp, now, 'forbidden', new PostbackForbiddenError(), `verification refused: ${verdict.reason}`);
    }
  }

  // A virtual click (user-keyed conversion) is moved by its network's route only: here it is unknown.
  if (fields.clickId !== null && isVirtualClickId(fields.clickId)) {
    return refuse(options, attemptId, stored, fields, sourceIp, now, 'unknown_click', new NotFoundError('Click not found'), 'user-keyed conversions are received on their network route');
  }

  let command: ConversionCommand;
  try {
    command = toCommand(options, fields, stored, attemptId, now, sourceIp);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const isAmount = (error.details as Array<{ path?: string }> | undefined)?.[0]?.path === 'amount';
    return refuse(options, attemptId, stored, fields, sourceIp, now, isAmount ? 'invalid_amount' : 'invalid_input', error);
  }

  if (!options.recordEvents) command.recordEvent = false;
  const outcome = await guardStorage(options, 'applyConversion', () => options.storage.applyConversion(command));
  // Awaited only when there is something to do: each await of a finished call is a microtask turn.
  if (outcome.owed.length > 0) await settleOwed(options, outcome.owed);
  if (outcome.event && options.onEvent !== null) await emitEvent(options, outcome.event);

  return toResult(options, command, outcome);
}

/** Audits a refused postback (its fields as read) and throws the refusal. */
function refuse(
  options: ResolvedOptions,
  attemptId: string,
  stored: PostbackParams,
  fields: PostbackFields,
  sourceIp: string | null,
  now: Date,
  decision: PostbackDecisionCode,
  error: Error,
  message = error.message,
): Promise<never> {
  return recordRefusal(options, auditRow(attemptId, stored, auditFields(fields, stored, options.secretParams), sourceIp, now, decision, message), error);
}

function toCommand(
  options: ResolvedOptions,
  fields: PostbackFields,
  stored: PostbackParams,
  attemptId: string,
  now: Date,
  sourceIp: string | null,
): ConversionCommand {
  const clickId = required(fields.clickId, 'click_id');
  if (!isClickIdText(clickId)) throw invalid('click_id', 'must be a UUID');
  const transactionId = optionalId(fields.transactionId, 'transactionId');
  const goal = optionalId(fields.goal, 'goal');
  const namedConversion = optionalId(fields.conversionId, 'conversionId');
  // A goal names its conversion (`goal:<id>`, paid once per click); two names could disagree.
  if (goal !== null && namedConversion !== null) throw invalid('goal', 'and conversion_id are exclusive: send one of them');
  const conversionId = goal !== null ? goalConversionId(goal) : (namedConversion ?? transactionId ?? clickId);
  const postbackStatus = (fields.status ?? DEFAULT_POSTBACK_STATUS).toLowerCase();
  const action: PostbackAction | undefined = Object.hasOwn(options.statusMap, postbackStatus)
    ? options.statusMap[postbackStatus]
    : undefined;
  if (action === undefined) throw invalid('status', `unknown postback status "${postbackStatus.slice(0, 40)}"`);
  const rawAmount = fields.amount;
  let amountMinor: bigint | null = null;
  if (rawAmount === '') throw invalid('amount', 'is present but empty: send a decimal amount, or leave the field out to earn the cap');
  if (rawAmount !== null) {
    amountMinor = parseAmount(rawAmount, options.money);
    if (amountMinor === 0n && (action === 'credit' || action === 'pending')) throw invalid('amount', 'must be positive');
  }
  return {
    attemptId,
    clickId,
    conversionId,
    action,
    postbackStatus,
    amountMinor,
    rawAmount: rawAmount === null ? null : String(rawAmount),
    transactionId,
    offerId: optionalId(fields.offerId, 'offerId'),
    now,
    newEarningId: options.ids.uuid(),
    ledger: options.ledgerMode,
    sourceIp,
    rawData: stored,
    risk: options.risk,
  };
}

/** No field could be read (the postback was refused before its fields were merged). */
const NO_FIELDS: PostbackFields = { clickId: null, conversionId: null, transactionId: null, offerId: null, status: null, goal: null, amount: null };

/**
 * The fields the audit row shows: those already read, unless a verifier's secret parameter was
 * removed from the stored copy (then they are read from that copy, so no secret reaches the row).
 */
function auditFields(fields: PostbackFields, stored: PostbackParams, secretParams: readonly string[]): PostbackFields {
  return secretParams.length === 0 ? fields : readPostbackFields(stored);
}

/** The postback's fields without the ones that carry a verifier's secret. */
export function withoutSecrets(params: PostbackParams, secretParams: readonly string[]): PostbackParams {
  if (secretParams.length === 0) return { ...params };
  return Object.fromEntries(Object.entries(params).filter(([key]) => !secretParams.includes(key)));
}

function toResult(options: ResolvedOptions, command: ConversionCommand, outcome: ConversionOutcome): PostbackResult {
  const { earning, decision } = outcome;
  if (decision === 'unknown_click') throw new NotFoundError('Click not found');
  if (decision === 'expired') throw new ClickExpiredError();
  if (isRiskRefusal(decision)) {
    throw new ConflictError(`Conversion refused by the risk rule ${decision}: ${RISK_REFUSAL_TEXT[decision]}`, {
      clickId: command.clickId,
      conversionId: command.conversionId,
      rule: decision,
    });
  }
  if (decision === 'conflict' || earning === null) {
    throw new ConflictError('Click is rejected or already converted under another conversion', {
      clickId: command.clickId,
      conversionId: command.conversionId,
    });
  }
  return {
    earningId: earning.earningId,
    clickId: earning.clickId,
    conversionId: earning.conversionId,
    status: earning.status,
    approvalStatus: earning.approvalStatus,
    amount: formatAmount(earning.amountMinor, options.money.scale),
    duplicate: decision === 'duplicate',
    decision,
  };
}

/** Why each risk refusal was refused, for the 409 message (the code is in `details.rule`). */
const RISK_REFUSAL_TEXT: Readonly<Record<RiskRefusal, string>> = {
  offer_mismatch: "the postback's offer id differs from the click's",
  too_soon: 'the conversion came sooner after the click than the minimum',
  too_late: 'the conversion came later after the click than the maximum',
};

function isRiskRefusal(decision: ConversionOutcome['decision']): decision is RiskRefusal {
  return Object.hasOwn(RISK_REFUSAL_TEXT, decision);
}

/** Writes the audit row of a refused attempt, then throws the refusal. */
async function recordRefusal(options: ResolvedOptions, attempt: PostbackAttempt, error: Error): Promise<never> {
  await recordAttempt(options, attempt);
  throw error;
}

/** Writes the audit row of a refused attempt (best effort: the refusal stands either way). */
export async function recordAttempt(options: ResolvedOptions, attempt: PostbackAttempt): Promise<void> {
  try {
    await options.storage.recordPostbackAttempt(attempt);
  } catch (cause) {
    options.logger.error('could not record refused postback attempt', { attemptId: attempt.attemptId, cause: String(cause) });
  }
}

function auditRow(
  attemptId: string,
  params: PostbackParams,
  fields: PostbackFields,
  sourceIp: string | null,
  now: Date,
  decision: PostbackDecisionCode,
  message: string,
): PostbackAttempt {
  const { amount } = fields;
  return {
    attemptId,
    clickId: fields.clickId?.slice(0, 256) ?? null,
    conversionId: fields.conversionId?.slice(0, 256) ?? null,
    postbackStatus: fields.status?.slice(0, 64) ?? null,
    amount: amount === null ? null : String(amount).slice(0, 64),
    sourceIp,
    rawData: { ...params },
    decision,
    earningId: null,
    message,
    receivedAt: now,
    rule: null,
  };
}

/** Shape-refused input, kept for support as bounded text rather than as objects. */
function safeText(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 2000);
  } catch {
    return '[unserialisable]';
  }
}

function required(value: string | null, field: string): string {
  if (value === null) throw invalid(field, 'is required');
  return value;
}

function optionalId(value: string | null, field: string): string | null {
  if (value === null) return null;
  if (!isIdentifierText(value)) throw invalid(field, 'must be 1 to 256 characters');
  return value;
}

function invalid(field: string, reason: string): ValidationError {
  return new ValidationError(`${field} ${reason}`, [{ path: field, message: reason }]);
}

