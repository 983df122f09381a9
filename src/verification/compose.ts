/**
 * Combining verifiers: all must pass (the default when several are configured), or any may.
 * @module
 */
import { runVerifiers, type PostbackVerifier, type VerificationResult } from '../postback/verifier.js';

/** Accepted only when every verifier accepts. */
export function allOf(...verifiers: PostbackVerifier[]): PostbackVerifier {
  return { name: `allOf(${verifiers.map((v) => v.name).join(',')})`, verify: (postback) => runVerifiers(verifiers, postback) };
}

/** Accepted when any verifier accepts (e.g. a signature from new partners, an IP list for old ones). */
export function anyOf(...verifiers: PostbackVerifier[]): PostbackVerifier {
  return {
    name: `anyOf(${verifiers.map((v) => v.name).join(',')})`,
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
