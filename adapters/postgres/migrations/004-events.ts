/**
 * Migration 004: the event outbox.
 *
 * - `events`: one row per change of money or of an earning's state, with its webhook delivery
 *   state. `seq` is the recording order (the delivery order per user); `event_id` the stable id.
 * - `conversion_event`, `approval_event`, `adjustment_event` take the JSON answer of
 *   `apply_conversion`, `decide_approval` and `adjust_wallet` and record the event it implies
 *   (the table of src/events/events-of.ts). The store calls them around the step in ONE
 *   statement (`SELECT conversion_event(apply_conversion(...), ...)`), so the event commits or
 *   rolls back with the change: no event without its change, no change without its event, and a
 *   replay (decision `duplicate`, `unchanged`) records none.
 * - Partial index on pending events: the delivery worker's read stays small whatever the size
 *   of the delivered history.
 * @module
 */
export const migration004 = (s: string): string => /* sql */ `
CREATE TABLE ${s}.events (
  seq bigserial NOT NULL UNIQUE,
  event_id text PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('conversion.credited', 'conversion.held', 'conversion.pending', 'conversion.rejected',
    'conversion.reversed', 'earning.approved', 'earning.rejected', 'wallet.adjusted')),
  user_id text NOT NULL,
  created_at timestamptz NOT NULL,
  data jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  delivered_at timestamptz
);
CREATE INDEX events_pending ON ${s}.events (seq) WHERE state = 'pending';
CREATE INDEX events_by_state ON ${s}.events (state, created_at DESC, event_id DESC);
CREATE INDEX events_by_time ON ${s}.events (created_at DESC, event_id DESC);
CREATE INDEX events_by_user ON ${s}.events (user_id, seq);

-- Records one event (an id already recorded is left alone) and answers it as JSON.
CREATE FUNCTION ${s}.record_event(p_id text, p_type text, p_user text, p_at timestamptz, p_data jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO ${s}.events (event_id, type, user_id, created_at, data, next_attempt_at)
    VALUES (p_id, p_type, p_user, p_at, p_data, p_at) ON CONFLICT (event_id) DO NOTHING;
  RETURN jsonb_build_object('id', p_id, 'type', p_type, 'userId', p_user, 'createdAt', p_at, 'data', p_data);
END $fn$;

-- The facts of an earning's event (money as text); p_sign: +1 credit, -1 reversal, 0 no money.
CREATE FUNCTION ${s}.earning_event_data(e jsonb, p_change text, p_sign integer) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN jsonb_build_object('change', p_change, 'earningId', e->>'earning_id', 'clickId', e->>'click_id',
    'conversionId', e->>'conversion_id', 'productId', e->>'product_id', 'status', e->>'status',
    'approvalStatus', e->>'approval_status', 'amount', e->>'amount',
    'walletDelta', ((e->>'amount')::bigint * p_sign)::text, 'referrerId', e->>'referrer_id',
    'commissionDelta', ((e->>'commission')::bigint * p_sign)::text, 'ledgerKey', NULL, 'reason', NULL);
END $fn$;

CREATE FUNCTION ${s}.conversion_event(r jsonb, p_attempt text, p_at timestamptz, p_record boolean)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  d text := r->>'decision';
  e jsonb := r->'earning';
  t text;
BEGIN
  IF NOT p_record OR e IS NULL OR jsonb_typeof(e) <> 'object' THEN RETURN r; END IF;
  t := CASE d
    WHEN 'credited' THEN 'conversion.credited' WHEN 'netted' THEN 'conversion.credited'
    WHEN 'held' THEN 'conversion.held' WHEN 'recorded_pending' THEN 'conversion.pending'
    WHEN 'rejected' THEN 'conversion.rejected' WHEN 'reversed' THEN 'conversion.reversed'
    WHEN 'pre_reversed' THEN 'conversion.reversed'
    WHEN 'cancelled' THEN CASE WHEN e->>'cancel_reason' = 'reversed' THEN 'conversion.reversed' ELSE 'conversion.rejected' END
    ELSE NULL END;
  IF t IS NULL THEN RETURN r; END IF;
  RETURN r || jsonb_build_object('event', ${s}.record_event('evt_' || p_attempt, t, e->>'user_id', p_at,
    ${s}.earning_event_data(e, d, CASE d WHEN 'credited' THEN 1 WHEN 'reversed' THEN -1 ELSE 0 END)));
END $fn$;

CREATE FUNCTION ${s}.approval_event(r jsonb, p_approve boolean, p_at timestamptz, p_record boolean)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  e jsonb := r->'earning';
BEGIN
  IF NOT p_record OR r->>'decision' <> 'applied' OR jsonb_typeof(e) <> 'object' THEN RETURN r; END IF;
  RETURN r || jsonb_build_object('event', ${s}.record_event(
    'evt_' || (e->>'earning_id') || CASE WHEN p_approve THEN '_approved' ELSE '_rejected' END,
    CASE WHEN p_approve THEN 'earning.approved' ELSE 'earning.rejected' END, e->>'user_id', p_at,
    ${s}.earning_event_data(e, CASE WHEN p_approve THEN 'approved' ELSE 'approval_rejected' END, CASE WHEN p_approve THEN 1 ELSE 0 END)));
END $fn$;

CREATE FUNCTION ${s}.adjustment_event(r jsonb, p_event_id text, p_key text, p_user text, p_amount bigint, p_reason text, p_at timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_event_id IS NULL OR r->>'decision' <> 'applied' THEN RETURN r; END IF;
  RETURN r || jsonb_build_object('event', ${s}.record_event(p_event_id, 'wallet.adjusted', p_user, p_at,
    jsonb_build_object('change', 'adjusted', 'earningId', NULL, 'clickId', NULL, 'conversionId', NULL, 'productId', NULL,
      'status', NULL, 'approvalStatus', NULL, 'amount', abs(p_amount)::text, 'walletDelta', p_amount::text,
      'referrerId', NULL, 'commissionDelta', '0', 'ledgerKey', p_key, 'reason', p_reason)));
END $fn$;
`;
