/**
 * The advertiser, simulated: sends a postback for a click, signed when POSTBACK_SECRET is set.
 *   npm run simulate -- <clickId> [--amount 50.00] [--status completed] [--conversion conv_1]
 *                                  [--transaction txn_1] [--url http://localhost:3000/api/v1/earn]
 *
 * Every field, click_id included, goes in the JSON body: a signature covers the body only, so
 * the signing verifier refuses fields left in the query string.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { signPostback } from 'clickcredit';

const USAGE = 'usage: npm run simulate -- <clickId> [--amount 50.00] [--status completed] [--conversion id] [--transaction id] [--url http://localhost:3000/api/v1/earn]';

function options() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        amount: { type: 'string', default: '50.00' },
        status: { type: 'string', default: 'completed' },
        conversion: { type: 'string' },
        transaction: { type: 'string' },
        url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}/api/v1/earn` },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    process.exit(2);
  }
}

const { positionals, values } = options();
const clickId = positionals[0];
if (!clickId) {
  console.error(USAGE);
  process.exit(2);
}
const suffix = randomUUID().slice(0, 8);
const body = JSON.stringify({
  click_id: clickId,
  amount: values.amount,
  status: values.status,
  transactionId: values.transaction ?? `sim_txn_${suffix}`,
  // A stable default: running the simulator twice for one click shows the duplicate answer.
  conversionId: values.conversion ?? `sim_conv_${clickId.slice(0, 8)}`,
});
const headers: Record<string, string> = { 'content-type': 'application/json' };
const secret = process.env.POSTBACK_SECRET;
// POSTBACK_SECRET is plain text, as the example server reads it (a whsec_ one is base64).
if (secret) Object.assign(headers, signPostback({ secret, secretEncoding: 'raw', id: `msg_${suffix}`, timestamp: Math.floor(Date.now() / 1000), payload: body }));

const url = `${values.url!.replace(/\/+$/, '')}/postback`;
console.log(`POST ${url}${secret ? ' (signed with POSTBACK_SECRET)' : ' (unsigned: POSTBACK_SECRET not set)'}\n${body}`);
let response: Response;
try {
  response = await fetch(url, { method: 'POST', headers, body });
} catch (error) {
  const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error instanceof Error ? error.message : String(error));
  console.error(`\ncould not reach ${url}: ${cause}\nIs the example running (npm start)? Pass --url if it listens elsewhere.`);
  process.exit(1);
}
const text = await response.text();
let shown = text;
try {
  shown = JSON.stringify(JSON.parse(text), null, 2);
} catch {
  // Not JSON (a proxy's error page, say): print it as it came.
}
console.log(`\n${response.status} ${response.statusText}\n${shown}`);
process.exit(response.ok ? 0 : 1);
