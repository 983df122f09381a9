/** A quiet tracker for integration tests: one product (earnUpTo 50.00), everyone referred by `referrer` at 10%. */
import { createClickTracker, type ClickStore, type ClickTracker, type ClickTrackerOptions } from 'clickcredit';

export function referredTracker(storage: ClickStore, overrides: Partial<ClickTrackerOptions> = {}): ClickTracker {
  return createClickTracker({
    storage,
    products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
    publicUrl: 'https://api.example.test/earn',
    referrals: { referrerOf: () => 'referrer' },
    referralCommission: '10%',
    allowUnverifiedPostbacks: true,
    logger: { info() {}, warn() {}, error() {} },
    ...overrides,
  });
}
