/**
 * The advertiser, simulated: sends a postback for a click, signed when POSTBACK_SECRET is set.
 *   npm run simulate -- <clickId> [--amount 50.00] [--status completed] [--conversion conv_1]
 *                                  [--transaction txn_1] [--url http://localhost:3000/api/v1/earn]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { signPostback } from 'clickcredit';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    amount: { type: 'string', default: '50.00' },
    status: { type: 'string', default: 'completed' },
    conversion: { type: 'string' },
    transaction: { type: 'string' },
    url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}/api/v1/earn` },
  },
});
const clickId = positionals[0];
if (!clickId) {
  console.error('usage: npm run simulate -- <clickId> [--amount 50.00] [--status completed] [--conversion id] [--url base]');
  process.exit(2);
}
const suffix = randomUUID().slice(0, 8);
const body = JSON.stringify({
  amount: values.amount,
  status: values.status,
  transactionId: values.transaction ?? `sim_txn_${suffix}`,
  conversionId: values.conversion ?? `sim_conv_${clickId.slice(0, 8)}`,
});
const headers: Record<string, string> = { 'content-type': 'application/json' };
const secret = process.env.POSTBACK_SECRET;
if (secret) Object.assign(headers, signPostback({ secret, id: `msg_${suffix}`, timestamp: Math.floor(Date.now() / 1000), payload: body }));

const url = `${values.url!.replace(/\/+$/, '')}/postback?click_id=${encodeURIComponent(clickId)}`;
console.log(`POST ${url}${secret ? ' (signed)' : ' (unsigned: POSTBACK_SECRET not set)'}\n${body}`);
const response = await fetch(url, { method: 'POST', headers, body });
console.log(`\n${response.status} ${response.statusText}\n${JSON.stringify(await response.json(), null, 2)}`);
process.exit(response.ok ? 0 : 1);
