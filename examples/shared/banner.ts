/** What the example prints at start: where it runs, and the seed's curl commands ready to paste. */
import type { ExampleSetup } from './tracker.js';

export function startBanner(setup: ExampleSetup, framework: string): string {
  const { baseUrl } = setup;
  const lines = [
    '',
    `clickcredit example (${framework}) listening on port ${setup.port}`,
    `  routes:   ${baseUrl}   (OpenAPI: ${baseUrl}/openapi.json)`,
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
      '2) Send a signed postback (replace YOUR_CLICK_ID with data.clickId from step 1):',
      `POSTBACK_SECRET=... npm run simulate -- YOUR_CLICK_ID --url ${baseUrl}`,
      '   or by hand with openssl:',
      `BODY='{"amount": 50.00, "status": "completed", "transactionId": "test_txn_123", "conversionId": "test_conv_456"}'`,
      'ID=msg_$(date +%s%N); TS=$(date +%s)',
      `SIG=$(printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -hmac "$POSTBACK_SECRET" -binary | base64)`,
      `curl -X POST "${baseUrl}/postback?click_id=YOUR_CLICK_ID" -H "Content-Type: application/json" \\`,
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
