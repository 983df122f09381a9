/** What the example prints at start: where it runs, and the seed's curl commands ready to paste. */
import type { ExampleSetup } from './tracker.js';

export function startBanner(setup: ExampleSetup, framework: string): string {
  const { baseUrl } = setup;
  const lines = [
    '',
    `clickcredit example (${framework}) listening on port ${setup.port}`,
    `  routes:   ${baseUrl}   (OpenAPI: ${baseUrl}/openapi.json)`,
    `  browser:  ${new URL(baseUrl).origin}/   (the demo loop: pick a user, start a task, complete it on the mock advertiser)`,
    `  operator: ${new URL(baseUrl).origin}/dashboard   (admin token demo-admin-token)`,
    `  storage:  ${setup.storageLabel}`,
    `  demo:     users demo-user (token demo-token) and demo-friend (token demo-friend-token, referred by demo-user),`,
    `            product demo-product (earnUpTo 50.00), referral commission 10%`,
    setup.secret
      ? '  postbacks: signature REQUIRED (POSTBACK_SECRET is set; Standard Webhooks HMAC-SHA256)'
      : '  postbacks: accepted WITHOUT verification because POSTBACK_SECRET is not set (demo only!)',
    '',
    '1) Generate a click (as demo-friend; use demo-token to act as demo-user):',
    `curl -X POST ${baseUrl}/products/demo-product/click \\`,
    '  -H "Authorization: Bearer demo-friend-token" \\',
    '  -H "Content-Type: application/json" \\',
    `  -d '{"taskUrl": "https://example.com/offer"}'`,
    '',
  ];
  if (setup.secret) {
    lines.push(
      '2) Send a signed postback (replace YOUR_CLICK_ID with data.clickId from step 1; the same POSTBACK_SECRET in your shell):',
      `npm run simulate -- YOUR_CLICK_ID --url ${baseUrl}`,
      '   or by hand with openssl (every field in the signed body, click_id included):',
      `BODY='{"click_id": "YOUR_CLICK_ID", "amount": 50.00, "status": "completed", "transactionId": "test_txn_123", "conversionId": "test_conv_456"}'`,
      'ID=msg_$(date +%s%N); TS=$(date +%s)',
      ...signingLines(setup.secret),
      `curl -X POST "${baseUrl}/postback" -H "Content-Type: application/json" \\`,
      '  -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" -d "$BODY"',
    );
  } else {
    lines.push(
      '2) Simulate the advertiser (replace YOUR_CLICK_ID with data.clickId from step 1):',
      `curl -X POST "${baseUrl}/postback?click_id=YOUR_CLICK_ID" \\`,
      '  -H "Content-Type: application/json" \\',
      `  -d '{"amount": 50.00, "status": "completed", "transactionId": "test_txn_123", "conversionId": "test_conv_456"}'`,
      `   (or: npm run simulate -- YOUR_CLICK_ID --url ${baseUrl})`,
    );
  }
  lines.push(
    '',
    '3) See the wallets (demo-friend earned 50.00, demo-user 5.00 commission):',
    `curl -H "Authorization: Bearer demo-friend-token" ${baseUrl}/wallet`,
    `curl -H "Authorization: Bearer demo-token" ${baseUrl}/wallet`,
    '',
  );
  return lines.join('\n');
}

/** The openssl line that signs `$ID.$TS.$BODY`: a `whsec_` secret is base64 key bytes, any other is the key as text. */
function signingLines(secret: string): string[] {
  const sign = (key: string) => `SIG=$(printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 ${key} -binary | base64)`;
  if (!secret.startsWith('whsec_')) return [sign('-hmac "$POSTBACK_SECRET"')];
  return [
    `KEY=$(printf '%s' "\${POSTBACK_SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \\n')`,
    sign('-mac HMAC -macopt hexkey:$KEY'),
  ];
}
