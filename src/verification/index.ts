/**
 * Postback verifiers. Configure one or several on the tracker (`verifier`); all must pass.
 * @module
 */
export { sharedSecret, type SharedSecretOptions } from './shared-secret.js';
export { hmacSignature, signPostback, signedPayload, secretKey, type HmacSignatureOptions, type SignatureHeaders } from './hmac-signature.js';
export { offerwallHash, offerwallDigest, type OfferwallHashOptions } from './offerwall-hash.js';
export { ipAllowlist, parseIp, parseCidr, cidrContains, type ParsedIp, type Cidr } from './ip-allowlist.js';
export { allOf, anyOf } from './compose.js';
