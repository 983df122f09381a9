/**
 * Migration 001: tables, constraints and the atomic functions. `s` is the quoted schema name.
 * Money is BIGINT minor units everywhere; it leaves the database as text, never as a float.
 * @module
 */
export const migration001 = (s: string): string => /* sql */ `
CREATE TABLE ${s}.clicks (
  click_id text PRIMARY KEY,
  user_id text NOT NULL,
  product_id text NOT NULL,
  offer_id text,
  task_url text NOT NULL,
  redirect_url text NOT NULL,
  postback_url text NOT NULL,
  ip_address text,
  user_agent text,
  referrer text,
  clicked_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'converted', 'expired', 'rejected')),
  conversion_id text,
  postback_received boolean NOT NULL DEFAULT false,
  postback_received_at timestamptz,
  visit_count integer NOT NULL DEFAULT 0,
  first_visit_at timestamptz,
  last_visit_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  earn_up_to bigint NOT NULL CHECK (earn_up_to >= 0),
  referrer_id text,
  commission_ppm integer NOT NULL CHECK (commission_ppm BETWEEN 0 AND 1000000),
  hold_above bigint,
  hold_within_seconds integer
);
CREATE INDEX clicks_pending_expiry ON ${s}.clicks (expires_at) WHERE status = 'pending';

CREATE TABLE ${s}.earnings (
  earning_id text PRIMARY KEY,
  user_id text NOT NULL,
  product_id text NOT NULL,
  offer_id text,
  click_id text NOT NULL REFERENCES ${s}.clicks (click_id),
  conversion_id text NOT NULL,
  transaction_id text,
  amount bigint NOT NULL CHECK (amount >= 0),
  status text NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled')),
  approval_status text NOT NULL CHECK (approval_status IN ('pending', 'auto_approved', 'manual_approved', 'rejected')),
  type text NOT NULL,
  credited boolean NOT NULL,
  credited_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text,
  reversed_before_credit boolean NOT NULL,
  referrer_id text,
  commission bigint NOT NULL CHECK (commission >= 0),
  last_postback_status text NOT NULL,
  postback_received boolean NOT NULL,
  postback_received_at timestamptz NOT NULL,
  postback_data jsonb,
  earned_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- The last line of defence: one earning per conversion, whatever the code above does.
  CONSTRAINT earnings_one_per_conversion UNIQUE (click_id, conversion_id)
);
CREATE INDEX earnings_user_page ON ${s}.earnings (user_id, created_at DESC, earning_id DESC);

CREATE TABLE ${s}.ledger_entries (
  -- Ordering within a user's ledger; the idempotency key is the identity (fewer indexes to keep up).
  entry_id bigserial NOT NULL,
  idempotency_key text NOT NULL CONSTRAINT ledger_entries_key UNIQUE,
  user_id text NOT NULL,
  kind text NOT NULL,
  amount bigint NOT NULL,
  earning_id text,
  reverses_key text,
  reason text,
  created_at timestamptz NOT NULL
);
CREATE INDEX ledger_entries_user ON ${s}.ledger_entries (user_id, entry_id);

-- Append-only: a ledger entry is never changed or removed; corrections are new entries.
CREATE FUNCTION ${s}.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only';
END $fn$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ${s}.ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_append_only();

CREATE TABLE ${s}.wallets (
  user_id text PRIMARY KEY,
  balance bigint NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE ${s}.wallet_outbox (
  op_key text PRIMARY KEY,
  user_id text NOT NULL,
  kind text NOT NULL,
  amount bigint NOT NULL,
  earning_id text,
  reverses_key text,
  reason text,
  created_at timestamptz NOT NULL,
  settled_at timestamptz
);
CREATE INDEX wallet_outbox_owed ON ${s}.wallet_outbox (created_at, op_key) WHERE settled_at IS NULL;
CREATE INDEX wallet_outbox_earning ON ${s}.wallet_outbox (earning_id);

-- The audit log is append-only and read by click; attempt ids are uuids, so no unique index.
CREATE TABLE ${s}.postback_attempts (
  attempt_id text NOT NULL,
  click_id text,
  conversion_id text,
  postback_status text,
  amount text,
  source_ip text,
  raw_data jsonb NOT NULL,
  decision text NOT NULL,
  earning_id text,
  message text,
  received_at timestamptz NOT NULL,
  seq bigserial
);
CREATE INDEX postback_attempts_click ON ${s}.postback_attempts (click_id, seq);

-- Helpers are PL/pgSQL, not SQL functions: PostgreSQL caches PL/pgSQL plans per session,
-- while SQL functions called from PL/pgSQL are planned again on every call.

-- An earning as JSON with money as text (exact in JavaScript).
CREATE FUNCTION ${s}.earning_json(e ${s}.earnings) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN to_jsonb(e) || jsonb_build_object('amount', e.amount::text, 'commission', e.commission::text);
END $fn$;

-- floor(amount * ppm / 1e6), as the core's commissionOf; 0 without a referrer. The product is
-- taken in numeric: amount (up to 1e17 minor units at scale 8) times ppm overflows bigint.
CREATE FUNCTION ${s}.commission_of(p_amount bigint, p_referrer text, p_ppm integer) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN CASE WHEN p_referrer IS NULL THEN 0 ELSE div(p_amount::numeric * p_ppm, 1000000)::bigint END;
END $fn$;

-- The credit entries of an earning (user's credit, then the referral commission if any).
CREATE FUNCTION ${s}.credit_ops(e ${s}.earnings) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN jsonb_build_array(jsonb_build_object(
      'key', 'earning:' || e.earning_id || ':credit', 'user_id', e.user_id, 'kind', 'credit',
      'amount', e.amount::text, 'earning_id', e.earning_id, 'reverses_key', NULL, 'reason', 'credit'))
    || CASE WHEN e.referrer_id IS NOT NULL AND e.commission > 0 THEN jsonb_build_array(jsonb_build_object(
      'key', 'earning:' || e.earning_id || ':referral_credit', 'user_id', e.referrer_id, 'kind', 'referral_credit',
      'amount', e.commission::text, 'earning_id', e.earning_id, 'reverses_key', NULL, 'reason', 'referral_credit'))
    ELSE '[]'::jsonb END;
END $fn$;

-- The reversal entries: each credit mirrored, negative, pointing at what it reverses.
CREATE FUNCTION ${s}.reversal_ops(e ${s}.earnings) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
      'key', 'earning:' || e.earning_id || CASE WHEN op->>'kind' = 'credit' THEN ':debit' ELSE ':referral_debit' END,
      'user_id', op->>'user_id',
      'kind', CASE WHEN op->>'kind' = 'credit' THEN 'debit' ELSE 'referral_debit' END,
      'amount', (-(op->>'amount')::bigint)::text,
      'earning_id', e.earning_id, 'reverses_key', op->>'key',
      'reason', CASE WHEN op->>'kind' = 'credit' THEN 'debit' ELSE 'referral_debit' END)), '[]'::jsonb)
  FROM jsonb_array_elements(${s}.credit_ops(e)) AS op);
END $fn$;

-- One ledger entry, idempotent by key, with the cached balance in the same step.
-- Concurrent callers with one key: the unique constraint lets exactly one insert; the others
-- wait for it, see it (fresh snapshot per statement) and answer duplicate.
CREATE FUNCTION ${s}.post_entry(p_key text, p_user text, p_kind text, p_amount bigint, p_earning text,
  p_reverses text, p_reason text, p_at timestamptz) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  v_balance bigint;
  v_existing ${s}.ledger_entries;
BEGIN
  INSERT INTO ${s}.ledger_entries (idempotency_key, user_id, kind, amount, earning_id, reverses_key, reason, created_at)
    VALUES (p_key, p_user, p_kind, p_amount, p_earning, p_reverses, p_reason, p_at)
    ON CONFLICT (idempotency_key) DO NOTHING;
  IF FOUND THEN
    INSERT INTO ${s}.wallets AS w (user_id, balance, updated_at) VALUES (p_user, p_amount, p_at)
      ON CONFLICT (user_id) DO UPDATE SET balance = w.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
      RETURNING balance INTO v_balance;
    RETURN jsonb_build_object('duplicate', false, 'balance', v_balance::text);
  END IF;
  SELECT * INTO v_existing FROM ${s}.ledger_entries WHERE idempotency_key = p_key;
  IF v_existing.user_id <> p_user OR v_existing.amount <> p_amount THEN
    RETURN jsonb_build_object('conflict', true);
  END IF;
  SELECT balance INTO v_balance FROM ${s}.wallets WHERE user_id = p_user;
  RETURN jsonb_build_object('duplicate', true, 'balance', coalesce(v_balance, 0)::text);
END $fn$;

-- Inline: ledger entries now (ordered by user so concurrent steps lock wallets in one order).
-- Outbox: owed rows, returned so the caller applies them through its wallet.
CREATE FUNCTION ${s}.move_money(p_ops jsonb, p_ledger text, p_at timestamptz) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  v_op jsonb;
  v_owed jsonb := '[]'::jsonb;
BEGIN
  FOR v_op IN SELECT value FROM jsonb_array_elements(p_ops) ORDER BY value->>'user_id', value->>'key' LOOP
    IF p_ledger = 'inline' THEN
      PERFORM ${s}.post_entry(v_op->>'key', v_op->>'user_id', v_op->>'kind', (v_op->>'amount')::bigint,
        v_op->>'earning_id', v_op->>'reverses_key', v_op->>'reason', p_at);
    ELSE
      INSERT INTO ${s}.wallet_outbox (op_key, user_id, kind, amount, earning_id, reverses_key, reason, created_at)
        VALUES (v_op->>'key', v_op->>'user_id', v_op->>'kind', (v_op->>'amount')::bigint, v_op->>'earning_id',
          v_op->>'reverses_key', v_op->>'reason', p_at)
        ON CONFLICT (op_key) DO NOTHING;
      IF FOUND THEN
        v_owed := v_owed || jsonb_build_array(v_op || jsonb_build_object('created_at', p_at));
      END IF;
    END IF;
  END LOOP;
  RETURN v_owed;
END $fn$;

-- Whether the click's hold policy (snapshotted at click time) holds this amount now.
CREATE FUNCTION ${s}.is_held(c ${s}.clicks, p_amount bigint, p_now timestamptz) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN (c.hold_above IS NOT NULL AND p_amount > c.hold_above)
      OR (c.hold_within_seconds IS NOT NULL AND p_now - c.clicked_at < make_interval(secs => c.hold_within_seconds));
END $fn$;

CREATE FUNCTION ${s}.save_earning(e ${s}.earnings) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE ${s}.earnings SET amount = e.amount, commission = e.commission, status = e.status,
    approval_status = e.approval_status, credited = e.credited, credited_at = e.credited_at,
    cancelled_at = e.cancelled_at, cancel_reason = e.cancel_reason, reversed_before_credit = e.reversed_before_credit,
    last_postback_status = e.last_postback_status, postback_received_at = e.postback_received_at,
    postback_data = e.postback_data, transaction_id = e.transaction_id, updated_at = e.updated_at
  WHERE earning_id = e.earning_id;
END $fn$;
`;
