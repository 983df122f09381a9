/**
 * The audit row of a conversion step, built from its command and decision in one place, so every
 * store that runs TypeScript in its atomic step writes the same row (the SQL and Lua steps write
 * the same columns from the same command fields).
 * @module
 */
import type { ConversionCommand, ConversionDecision } from './ports.js';
import type { PostbackAttempt, RiskRuleCode } from './records.js';

/** What the step decided, as the audit row records it. */
export interface ConversionVerdict {
  decision: ConversionDecision;
  /** The earning the outcome shows (`null` when the decision shows none). */
  earning: { earningId: string } | null;
  rule: RiskRuleCode | null;
}

/** The {@link PostbackAttempt} a conversion step writes for `command` with its verdict. */
export function attemptOfConversion(command: ConversionCommand, verdict: ConversionVerdict): PostbackAttempt {
  return {
    attemptId: command.attemptId,
    clickId: command.clickId,
    conversionId: command.conversionId,
    postbackStatus: command.postbackStatus,
    amount: command.rawAmount,
    sourceIp: command.sourceIp,
    rawData: command.rawData,
    decision: verdict.decision,
    earningId: verdict.earning?.earningId ?? null,
    message: null,
    receivedAt: command.now,
    rule: verdict.rule,
  };
}
