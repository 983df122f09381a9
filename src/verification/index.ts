/**
 * Postback verifiers. Configure one or several on the tracker (`verifier`); all must pass.
 * Compose with {@link allOf} and {@link anyOf}.
 * @module
 */
export { sharedSecret, type SharedSecretOptions } from './shared-secret.js';
export { hmacSignature, type HmacSignatureOptions } from './hmac-signature.js';
export { signPostback, signatureOf, type SignPostbackInput, type SignatureHeaders } from './sign-postback.js';
export { signedPayload, type SignedPayload } from './signed-payload.js';
export { secretKey, type SecretEncoding } from './signing-key.js';
export {
  offerwallHash,
  offerwallDigest,
  type OfferwallHashOptions,
  type OfferwallHashAlgorithm,
  type OfferwallDigestFormula,
} from './offerwall-hash.js';
export { ipAllowlist, type IpAllowlistOptions } from './ip-allowlist.js';
export { parseIp, parseCidr, cidrContains, type ParsedIp, type Cidr } from './ip-address.js';
export { allOf, anyOf } from './compose.js';
