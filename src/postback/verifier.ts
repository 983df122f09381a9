/**
 * The postback verifier port: a check that a postback really comes from the advertiser.
 * Concrete verifiers (shared secret, HMAC signature, offerwall hash, IP allowlist) live in
 * `verification/`; several given together must all pass.
 * @module
 */
import type { VerifiablePostback } from './request.js';

/** Outcome of a verifier: refused ones say why (recorded in the audit log, not sent back). */
export type VerificationResult = { ok: true } | { ok: false; reason: string };

/** Checks one postback. Must not throw for a bad request: answer `{ ok: false }` instead. */
export interface PostbackVerifier {
  /** Short name for logs (`shared-secret`, `hmac`, `ip-allowlist`...). */
  readonly name: string;
  /** Parameters that carry a secret: the core never stores them (earning data, audit rows). */
  readonly secretParams?: readonly string[];
  verify(postback: VerifiablePostback): VerificationResult | Promise<VerificationResult>;
}

/** Every secret parameter named by these verifiers (composed ones included). */
export function secretParamsOf(verifiers: readonly PostbackVerifier[]): string[] {
  return [...new Set(verifiers.flatMap((v) => v.secretParams ?? []))];
}

/** A verifier that answers synchronously (all the built-in ones). */
export interface SyncPostbackVerifier extends PostbackVerifier {
  verify(postback: VerifiablePostback): VerificationResult;
}

/** Runs verifiers in order; the first refusal wins. */
export async function runVerifiers(
  verifiers: readonly PostbackVerifier[],
  postback: VerifiablePostback,
): Promise<VerificationResult> {
  return verifyAll(verifiers, postback);
}

/**
 * {@link runVerifiers} without a promise while every verifier answers synchronously (all the
 * built-in ones): the hot path awaits only what is a promise. Same order, same outcomes.
 */
export function verifyAll(
  verifiers: readonly PostbackVerifier[],
  postback: VerifiablePostback,
  from = 0,
): VerificationResult | Promise<VerificationResult> {
  for (let i = from; i < verifiers.length; i += 1) {
    const verifier = verifiers[i]!;
    let result: VerificationResult | Promise<VerificationResult>;
    try {
      result = verifier.verify(postback);
    } catch {
      result = { ok: false, reason: 'verifier failed' };
    }
    if (isThenable(result)) return finishAsync(verifiers, postback, i, result);
    if (!result.ok) return { ok: false, reason: `${verifier.name}: ${result.reason}` };
  }
  return { ok: true };
}

async function finishAsync(
  verifiers: readonly PostbackVerifier[],
  postback: VerifiablePostback,
  at: number,
  pending: PromiseLike<VerificationResult>,
): Promise<VerificationResult> {
  let result: VerificationResult;
  try {
    result = await pending;
  } catch {
    result = { ok: false, reason: 'verifier failed' };
  }
  if (!result.ok) return { ok: false, reason: `${verifiers[at]!.name}: ${result.reason}` };
  return verifyAll(verifiers, postback, at + 1);
}

function isThenable(value: unknown): value is PromiseLike<VerificationResult> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
