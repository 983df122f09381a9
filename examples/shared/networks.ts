/**
 * The example's networks: every built-in preset under its own name, with the demo secret
 * `demo-<name>-secret`. User-keyed networks credit the demo users only (any other user id is
 * refused and audited). So a signed callback pasted from the README moves a demo wallet:
 * `GET /api/v1/earn/postback/tapjoy?snuid=demo-user&currency=30&id=...&verifier=...`.
 */
import type { NetworkDefinition } from 'clickcredit';
import {
  adgate,
  adgem,
  adgemV3,
  ayet,
  bitlabs,
  cpx,
  fyber,
  ironSource,
  lootably,
  revlum,
  revtoo,
  superRewards,
  tapjoy,
  torox,
  trackerPostback,
  type PresetOptions,
} from 'clickcredit/networks';
import { DEMO_TOKENS } from './demo-data.js';

/** The demo secret of a network: `demo-<name>-secret`. */
export const demoSecret = (name: string): string => `demo-${name}-secret`;

const DEMO_USERS: ReadonlySet<string> = new Set(Object.values(DEMO_TOKENS));

/** Every preset, configured as the contract's example says. */
export function exampleNetworks(): Record<string, NetworkDefinition> {
  // The demo users only; 50.00 at most per conversion (the demo product's cap).
  const user: PresetOptions = { resolveUser: (id) => (DEMO_USERS.has(id) ? id : null), maxAmount: '50.00' };
  return {
    tapjoy: tapjoy(demoSecret('tapjoy'), user),
    fyber: fyber(demoSecret('fyber'), user),
    ironsource: ironSource(demoSecret('ironsource'), user),
    adgem: adgem(demoSecret('adgem'), user),
    'adgem-v3': adgemV3(demoSecret('adgem-v3'), user),
    ayet: ayet(demoSecret('ayet'), user),
    bitlabs: bitlabs(demoSecret('bitlabs'), user),
    cpx: cpx(demoSecret('cpx'), user),
    torox: torox(demoSecret('torox'), user),
    lootably: lootably(demoSecret('lootably'), user),
    revlum: revlum(demoSecret('revlum'), user),
    revtoo: revtoo(demoSecret('revtoo'), user),
    // AdGate's published source IP cannot reach a laptop: the demo checks the URL token only.
    adgate: adgate(demoSecret('adgate'), { ...user, sourceIps: false }),
    superrewards: superRewards(demoSecret('superrewards'), user),
    // Click-keyed: the click's rules (demo-product's 50.00 cap) apply.
    tracker: trackerPostback(demoSecret('tracker')),
  };
}
