/**
 * Migration 003: what the admin API reads, and the worker leases.
 *
 * - Attempts and earnings get the click's owner, product and network as columns of their own,
 *   filled by BEFORE INSERT triggers from the click row (one primary-key read, in the same
 *   transaction as the insert), so every admin filter is an index range and never a join scan.
 * - One index per admin filter, each ending in the list order (time desc, id desc), so a page
 *   is an index range read of `limit` rows whatever the size of history; the time indexes also
 *   serve the statistics, whose cost therefore follows the rows inside the window only.
 * - `adjust_wallet`: the manual adjustment with its balance check under the wallet's row lock.
 * - `worker_leases`: one row per job; taking a lease is one upsert.
 * @module
 */
export const migration003 = (s: string): string => /* sql */ `
ALTER TABLE ${s}.postback_attempts ADD COLUMN user_id text, ADD COLUMN product_id text, ADD COLUMN network text;
ALTER TABLE ${s}.earnings ADD COLUMN network text;

UPDATE ${s}.postback_attempts a SET user_id = c.user_id, product_id = c.product_id, network = c.network
  FROM ${s}.clicks c WHERE c.click_id = a.click_id;
UPDATE ${s}.earnings e SET network = c.network FROM ${s}.clicks c WHERE c.click_id = e.click_id;

CREATE FUNCTION ${s}.attempt_click_fields() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.click_id IS NOT NULL THEN
    SELECT c.user_id, c.product_id, c.network INTO NEW.user_id, NEW.product_id, NEW.network
      FROM ${s}.clicks c WHERE c.click_id = NEW.click_id;
  END IF;
  RETURN NEW;
END $fn$;
CREATE TRIGGER postback_attempts_click_fields BEFORE INSERT ON ${s}.postback_attempts
  FOR EACH ROW EXECUTE FUNCTION ${s}.attempt_click_fields();

CREATE FUNCTION ${s}.earning_click_fields() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  SELECT c.network INTO NEW.network FROM ${s}.clicks c WHERE c.click_id = NEW.click_id;
  RETURN NEW;
END $fn$;
CREATE TRIGGER earnings_click_fields BEFORE INSERT ON ${s}.earnings
  FOR EACH ROW EXECUTE FUNCTION ${s}.earning_click_fields();

CREATE INDEX postback_attempts_recent ON ${s}.postback_attempts (received_at DESC, attempt_id DESC);
CREATE INDEX postback_attempts_decision ON ${s}.postback_attempts (decision, received_at DESC, attempt_id DESC);
CREATE INDEX postback_attempts_user ON ${s}.postback_attempts (user_id, received_at DESC, attempt_id DESC) WHERE user_id IS NOT NULL;
CREATE INDEX postback_attempts_network ON ${s}.postback_attempts (network, received_at DESC, attempt_id DESC) WHERE network IS NOT NULL;
CREATE INDEX postback_attempts_conversion ON ${s}.postback_attempts (conversion_id, received_at DESC, attempt_id DESC);
CREATE INDEX postback_attempts_source_ip ON ${s}.postback_attempts (source_ip, received_at DESC, attempt_id DESC);
CREATE INDEX postback_attempts_earning ON ${s}.postback_attempts (earning_id) WHERE earning_id IS NOT NULL;

CREATE INDEX earnings_recent ON ${s}.earnings (created_at DESC, earning_id DESC);
CREATE INDEX earnings_approval ON ${s}.earnings (approval_status, created_at DESC, earning_id DESC);
CREATE INDEX earnings_status ON ${s}.earnings (status, created_at DESC, earning_id DESC);
CREATE INDEX earnings_product ON ${s}.earnings (product_id, created_at DESC, earning_id DESC);
CREATE INDEX earnings_network ON ${s}.earnings (network, created_at DESC, earning_id DESC) WHERE network IS NOT NULL;
CREATE INDEX earnings_credited_at ON ${s}.earnings (credited_at) WHERE credited_at IS NOT NULL;
CREATE INDEX earnings_cancelled_at ON ${s}.earnings (cancelled_at) WHERE cancelled_at IS NOT NULL AND credited;

CREATE INDEX clicks_recent ON ${s}.clicks (created_at DESC, click_id DESC);
CREATE INDEX clicks_user ON ${s}.clicks (user_id, created_at DESC, click_id DESC);
CREATE INDEX clicks_product ON ${s}.clicks (product_id, created_at DESC, click_id DESC);
CREATE INDEX clicks_status ON ${s}.clicks (status, created_at DESC, click_id DESC);

-- A manual adjustment. The wallet row is locked first, so concurrent adjustments (and credits)
-- of one wallet queue on it and each sees the balance the previous one left: a debit that no
-- longer fits is refused, never applied. Inside the lock: a known key is a duplicate (or a
-- conflict when reused for another user or amount), then the balance check, then the entry.
CREATE FUNCTION ${s}.adjust_wallet(p_key text, p_user text, p_kind text, p_amount bigint, p_reason text,
  p_at timestamptz, p_allow_overdraft boolean) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  v_balance bigint;
  v_existing ${s}.ledger_entries;
BEGIN
  INSERT INTO ${s}.wallets (user_id, balance, updated_at) VALUES (p_user, 0, p_at) ON CONFLICT (user_id) DO NOTHING;
  SELECT balance INTO v_balance FROM ${s}.wallets WHERE user_id = p_user FOR UPDATE;
  SELECT * INTO v_existing FROM ${s}.ledger_entries WHERE idempotency_key = p_key;
  IF FOUND THEN
    IF v_existing.user_id <> p_user OR v_existing.amount <> p_amount THEN
      RETURN jsonb_build_object('decision', 'conflict');
    END IF;
    RETURN jsonb_build_object('decision', 'duplicate', 'balance', v_balance::text);
  END IF;
  IF p_amount < 0 AND NOT p_allow_overdraft AND v_balance + p_amount < 0 THEN
    RETURN jsonb_build_object('decision', 'insufficient', 'balance', v_balance::text);
  END IF;
  RETURN ${s}.post_entry(p_key, p_user, p_kind, p_amount, NULL, NULL, p_reason, p_at) || jsonb_build_object('decision', 'applied');
END $fn$;

CREATE TABLE ${s}.worker_leases (
  name text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);
`;
