/**
 * Combining verifiers: all must pass (the default when several are configured), or any may.
 * @module
 */
import { runVerifiers, secretParamsOf, type PostbackVerifier, type VerificationResult } from '../postback/verifier.js';

/**
 * Accepted only when every verifier accepts; the first refusal is the reason. Useful inside
 * {@link anyOf}, e.g. "a signature, or a secret from the partner's network".
 */
export function allOf(...verifiers: PostbackVerifier[]): PostbackVerifier {
  requireSome(verifiers, 'allOf');
  return { name: `allOf(${names(verifiers)})`, secretParams: secretParamsOf(verifiers), verify: (postback) => runVerifiers(verifiers, postback) };
}

/**
 * Accepted when any verifier accepts (e.g. signatures from new partners, an IP list for an old
 * one). A refusal lists every verifier's reason. A verifier that throws counts as a refusal.
 */
export function anyOf(...verifiers: PostbackVerifier[]): PostbackVerifier {
  requireSome(verifiers, 'anyOf');
  return {
    name: `anyOf(${names(verifiers)})`,
    secretParams: secretParamsOf(verifiers),
    async verify(postback): Promise<VerificationResult> {
      const reasons: string[] = [];
      for (const verifier of verifiers) {
        const result = await runVerifiers([verifier], postback);
        if (result.ok) return result;
        reasons.push(result.reason);
      }
      return { ok: false, reason: reasons.join('; ') };
    },
  };
}

function names(verifiers: readonly PostbackVerifier[]): string {
  return verifiers.map((v) => v.name).join(',');
}

/** An empty `allOf()` would accept everything: refuse it at start-up. */
function requireSome(verifiers: readonly PostbackVerifier[], who: string): void {
  if (verifiers.length === 0 || verifiers.some((v) => typeof v?.verify !== 'function')) {
    throw new TypeError(`clickcredit ${who}: give at least one verifier`);
  }
}
