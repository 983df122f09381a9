/**
 * What every preset factory accepts, and how a preset and a host's overrides are merged.
 * @module
 */
import type { PostbackAction } from '../records.js';
import type { RiskOptions } from '../risk.js';
import type { NetworkAuth, NetworkDefinition, NetworkFields, NetworkReplies, ResolveNetworkUser } from './types.js';
import { sourceIps } from './schemes.js';

/** Options of every preset factory: any part of the preset may be overridden. */
export interface PresetOptions {
  /** Renamed or extra fields (the network lets the publisher name its query parameters). */
  fields?: Partial<NetworkFields>;
  /** Extra or overriding status words (lower-case). */
  statusMap?: Record<string, PostbackAction>;
  defaultStatus?: string | null;
  /** Replaces the preset's authentication entirely. */
  auth?: readonly NetworkAuth[];
  /** Added to the preset's authentication (all must pass). */
  alsoRequire?: readonly NetworkAuth[];
  /**
   * Source-IP allowlist: `true` for the network's published addresses (where it publishes them),
   * a list of networks of your own, or `false` for none. Default: each preset's (off, except
   * for networks that sign nothing).
   */
  sourceIps?: boolean | readonly string[];
  /** Wallet amount per unit of the network's reward (`"0.01"`: 100 points = 1.00). */
  rate?: string | number;
  /** Largest amount of one conversion in the wallet's unit (larger ones are capped). */
  maxAmount?: string | number;
  productId?: string;
  /** Maps or refuses the network's user id (`null`: unknown user, refused). */
  resolveUser?: ResolveNetworkUser;
  replies?: Partial<NetworkReplies>;
  negativeAmount?: 'reverse' | 'refuse';
  /** Risk rules of this network instead of the tracker's (`null`: none). */
  risk?: RiskOptions | null;
}

/**
 * A preset with a host's overrides applied. `published` are the network's published source
 * addresses, used with `sourceIps: true` (or by default when `ipsByDefault`).
 */
export function withOptions(
  base: NetworkDefinition,
  options: PresetOptions = {},
  published: { ips?: readonly string[]; ipsByDefault?: boolean } = {},
): NetworkDefinition {
  const ipOption = options.sourceIps ?? (published.ipsByDefault === true);
  let ips: readonly string[] = [];
  if (ipOption === true) {
    if (!published.ips?.length) throw new TypeError(`clickcredit ${base.preset}: the network publishes no source IPs; pass sourceIps: [...]`);
    ips = published.ips;
  } else if (Array.isArray(ipOption)) {
    ips = ipOption;
  }
  const auth = [...(options.auth ?? base.auth), ...(options.alsoRequire ?? []), ...(ips.length > 0 ? [sourceIps(ips)] : [])];
  const lower = Object.fromEntries(Object.entries(options.statusMap ?? {}).map(([word, action]) => [word.toLowerCase(), action]));
  return {
    ...base,
    fields: { ...base.fields, ...options.fields },
    statusMap: { ...base.statusMap, ...lower },
    defaultStatus: options.defaultStatus === undefined ? base.defaultStatus : options.defaultStatus,
    auth,
    replies: { ...base.replies, ...options.replies },
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.maxAmount !== undefined ? { maxAmount: options.maxAmount } : {}),
    ...(options.productId !== undefined ? { productId: options.productId } : {}),
    ...(options.resolveUser !== undefined ? { resolveUser: options.resolveUser } : {}),
    ...(options.negativeAmount !== undefined ? { negativeAmount: options.negativeAmount } : {}),
    ...(options.risk !== undefined ? { risk: options.risk } : {}),
  };
}

/**
 * Checks a network definition at start-up (the tracker calls it for each configured network),
 * so a misnamed field never silently pays the maximum: the amount and transaction id fields are
 * required, the user or click id field by `keyedBy`, and authentication unless opted out.
 */
export function checkNetworkDefinition(name: string, network: NetworkDefinition): void {
  const fail = (why: string) => new TypeError(`clickcredit networks.${name}: ${why}`);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name)) throw fail('the name must be 1-64 letters, digits, - or _ (it is a URL path segment)');
  if (network === null || typeof network !== 'object') throw fail('give a network definition (a preset such as tapjoy(secret))');
  if (network.keyedBy !== 'user' && network.keyedBy !== 'click') throw fail('keyedBy must be "user" or "click"');
  const fields = network.fields ?? ({} as NetworkFields);
  if (typeof fields.amount !== 'function') throw fail('fields.amount is required: a callback without an amount is refused, never paid the maximum');
  if (typeof fields.transactionId !== 'function') throw fail('fields.transactionId is required');
  if (network.keyedBy === 'user' && typeof fields.userId !== 'function') throw fail('a user-keyed network needs fields.userId');
  if (network.keyedBy === 'click' && typeof fields.clickId !== 'function') throw fail('a click-keyed network needs fields.clickId');
  if (!Array.isArray(network.auth) || network.auth.some((a) => typeof a?.verify !== 'function')) throw fail('auth must be a list of checks');
  if (network.auth.length === 0 && network.allowUnverified !== true) {
    throw fail('no authentication: anyone could credit themselves. Configure the network\'s secret, or opt in with allowUnverified: true');
  }
  if (typeof network.replies?.success !== 'function' || typeof network.replies.refusal !== 'function') throw fail('replies.success and replies.refusal are required');
  if (network.defaultStatus !== null && !Object.hasOwn(network.statusMap, network.defaultStatus.toLowerCase())) {
    throw fail(`defaultStatus "${network.defaultStatus}" is not in the status map`);
  }
}
