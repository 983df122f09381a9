/**
 * Migration 005: the postback step's hot path (issue 12), same state machine and same rows.
 *
 * - `apply_conversion` records the step's event itself (`p_record_event`; `conversion_event` is
 *   gone) and answers `json` built once, instead of `jsonb` copied by each `||`.
 * - The wallets are the last write of the step: the ledger entries and the wallet moves are one
 *   statement after the audit row and the event. A wallet row shared by many postbacks (a
 *   referrer's) is then locked only from that statement to the commit, not through the rest of
 *   the step, so concurrent postbacks of referred users queue on it for as short as they can.
 * - A user-keyed (virtual) click is inserted straight away (no lookup first) and in the state its
 *   first conversion leaves it (converted, bound to the conversion), so the usual outcome writes
 *   the click row once instead of inserting it and updating it again with every index entry twice.
 * - The earning's network and the audit row's click fields are set by the step from the click
 *   it already holds: the earnings insert trigger is dropped, and the audit trigger runs only for
 *   rows that come without them (refusals recorded before any step, a click the step removed).
 * - The value checks of events, clicks and earnings are domains (the same rules): a table CHECK
 *   is parsed and planned again by every statement that writes the table, a domain's check once
 *   per connection. The columns change type before the checks are added, so no table rewrite.
 * - `events.seq` loses its unique index: a sequence never repeats, and every read of `seq` has
 *   its own index (`events_pending`, `events_by_user`).
 * @module
 */

/** The click columns of 001 and 002, which a virtual click's insert names. */
const VIRTUAL_CLICK_COLUMNS = `click_id, user_id, product_id, offer_id, task_url, redirect_url, postback_url, ip_address,
      user_agent, referrer, clicked_at, expires_at, status, conversion_id, postback_received, postback_received_at,
      visit_count, first_visit_at, last_visit_at, created_at, updated_at, earn_up_to, referrer_id, commission_ppm,
      hold_above, hold_within_seconds, network, network_transaction_id, goals`;

export const migration005 = (s: string): string => /* sql */ `
ALTER TABLE ${s}.events DROP CONSTRAINT events_seq_key;

-- Value checks as domains: a table CHECK is read back from its stored text and planned again by
-- every statement that writes the table, a domain's check is kept ready in the type cache.
-- Added after the columns change type, so that change is no table rewrite (only a validating scan).
CREATE DOMAIN ${s}.event_type AS text;
CREATE DOMAIN ${s}.event_state AS text;
ALTER TABLE ${s}.events DROP CONSTRAINT events_type_check, DROP CONSTRAINT events_state_check,
  ALTER COLUMN type TYPE ${s}.event_type, ALTER COLUMN state TYPE ${s}.event_state;
ALTER DOMAIN ${s}.event_type ADD CONSTRAINT event_type_check CHECK (VALUE IN ('conversion.credited', 'conversion.held',
  'conversion.pending', 'conversion.rejected', 'conversion.reversed', 'earning.approved', 'earning.rejected', 'wallet.adjusted'));
ALTER DOMAIN ${s}.event_state ADD CONSTRAINT event_state_check CHECK (VALUE IN ('pending', 'delivered', 'dead'));

-- The same for the clicks and earnings a postback writes: the same rules, as domains.
CREATE DOMAIN ${s}.click_status AS text;
CREATE DOMAIN ${s}.earning_status AS text;
CREATE DOMAIN ${s}.approval_status AS text;
CREATE DOMAIN ${s}.minor_amount AS bigint;
CREATE DOMAIN ${s}.ppm AS integer;
CREATE DOMAIN ${s}.click_goals AS jsonb;
ALTER TABLE ${s}.clicks DROP CONSTRAINT clicks_status_check, DROP CONSTRAINT clicks_earn_up_to_check,
  DROP CONSTRAINT clicks_commission_ppm_check, DROP CONSTRAINT clicks_goals_check,
  ALTER COLUMN status TYPE ${s}.click_status, ALTER COLUMN earn_up_to TYPE ${s}.minor_amount,
  ALTER COLUMN commission_ppm TYPE ${s}.ppm, ALTER COLUMN goals TYPE ${s}.click_goals;
ALTER TABLE ${s}.earnings DROP CONSTRAINT earnings_amount_check, DROP CONSTRAINT earnings_status_check,
  DROP CONSTRAINT earnings_approval_status_check, DROP CONSTRAINT earnings_commission_check,
  ALTER COLUMN amount TYPE ${s}.minor_amount, ALTER COLUMN status TYPE ${s}.earning_status,
  ALTER COLUMN approval_status TYPE ${s}.approval_status, ALTER COLUMN commission TYPE ${s}.minor_amount;
ALTER DOMAIN ${s}.click_status ADD CONSTRAINT click_status_check CHECK (VALUE IN ('pending', 'converted', 'expired', 'rejected'));
ALTER DOMAIN ${s}.earning_status ADD CONSTRAINT earning_status_check CHECK (VALUE IN ('pending', 'completed', 'cancelled'));
ALTER DOMAIN ${s}.approval_status ADD CONSTRAINT approval_status_check
  CHECK (VALUE IN ('pending', 'auto_approved', 'manual_approved', 'rejected'));
ALTER DOMAIN ${s}.minor_amount ADD CONSTRAINT minor_amount_check CHECK (VALUE >= 0);
ALTER DOMAIN ${s}.ppm ADD CONSTRAINT ppm_check CHECK (VALUE BETWEEN 0 AND 1000000);
ALTER DOMAIN ${s}.click_goals ADD CONSTRAINT click_goals_check CHECK (VALUE = 'true'::jsonb OR jsonb_typeof(VALUE) = 'array');

DROP TRIGGER earnings_click_fields ON ${s}.earnings;
DROP FUNCTION ${s}.earning_click_fields();
DROP TRIGGER postback_attempts_click_fields ON ${s}.postback_attempts;
CREATE TRIGGER postback_attempts_click_fields BEFORE INSERT ON ${s}.postback_attempts
  FOR EACH ROW WHEN (NEW.click_id IS NOT NULL AND NEW.user_id IS NULL) EXECUTE FUNCTION ${s}.attempt_click_fields();


-- The ledger entries of an earning as rows: its credits (the user's, then the referral commission
-- if any) and their reversals (each credit mirrored, negative, pointing at what it reverses), as
-- credit_ops and reversal_ops; the reason is the kind. A SQL function, inlined into the statement.
CREATE FUNCTION ${s}.earning_entries(e ${s}.earnings, p_credits boolean, p_debits boolean)
RETURNS TABLE (key text, user_id text, kind text, amount bigint, reverses_key text) LANGUAGE sql IMMUTABLE AS $fn$
  SELECT o.key, o.user_id, o.kind, o.amount, o.reverses_key FROM (VALUES
      (p_credits, true, 'earning:' || e.earning_id || ':credit', e.user_id, 'credit', e.amount, NULL::text),
      (p_credits, false, 'earning:' || e.earning_id || ':referral_credit', e.referrer_id, 'referral_credit', e.commission, NULL),
      (p_debits, true, 'earning:' || e.earning_id || ':debit', e.user_id, 'debit', -e.amount, 'earning:' || e.earning_id || ':credit'),
      (p_debits, false, 'earning:' || e.earning_id || ':referral_debit', e.referrer_id, 'referral_debit', -e.commission,
        'earning:' || e.earning_id || ':referral_credit')
    ) AS o (wanted, own, key, user_id, kind, amount, reverses_key)
  WHERE o.wanted AND (o.own OR (e.referrer_id IS NOT NULL AND e.commission > 0))
$fn$;

-- An earning as the steps answer it: JSON text built once, money as text.
CREATE FUNCTION ${s}.earning_answer(e ${s}.earnings) RETURNS json LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN json_build_object('earning_id', e.earning_id, 'user_id', e.user_id, 'product_id', e.product_id,
    'offer_id', e.offer_id, 'click_id', e.click_id, 'conversion_id', e.conversion_id, 'transaction_id', e.transaction_id,
    'amount', e.amount::text, 'status', e.status, 'approval_status', e.approval_status, 'type', e.type,
    'credited', e.credited, 'credited_at', e.credited_at, 'cancelled_at', e.cancelled_at, 'cancel_reason', e.cancel_reason,
    'reversed_before_credit', e.reversed_before_credit, 'referrer_id', e.referrer_id, 'commission', e.commission::text,
    'last_postback_status', e.last_postback_status, 'postback_received', e.postback_received,
    'postback_received_at', e.postback_received_at, 'postback_data', e.postback_data, 'earned_at', e.earned_at,
    'created_at', e.created_at, 'updated_at', e.updated_at, 'network', e.network);
END $fn$;

DROP FUNCTION ${s}.conversion_event(jsonb, text, timestamptz, boolean);
DROP FUNCTION ${s}.apply_conversion(text, text, text, text, text, bigint, text, text, text, timestamptz, text, text, text, jsonb,
  jsonb, jsonb, text);

CREATE FUNCTION ${s}.apply_conversion(
  p_attempt_id text, p_click_id text, p_conversion_id text, p_action text, p_status text,
  p_amount bigint, p_raw_amount text, p_transaction_id text, p_offer_id text, p_now timestamptz,
  p_new_earning_id text, p_ledger text, p_source_ip text, p_raw jsonb,
  p_click jsonb, p_risk jsonb, p_conversion_ip text, p_record_event boolean
) RETURNS json LANGUAGE plpgsql AS $fn$
DECLARE
  c ${s}.clicks;
  e ${s}.earnings;
  u ${s}.risk_counters;
  i ${s}.risk_counters;
  v_decision text;
  v_rule text;
  v_verdict text[];
  v_day date;
  v_ip text;
  v_owed json := '[]';
  v_event json;
  v_event_type text;
  v_data jsonb;
  v_sign integer;
  v_answer json;
  v_credits boolean := false;  -- this step posts the earning's credit entries
  v_debits boolean := false;   -- this step posts their reversal
  v_new boolean := false;      -- this step creates E
  v_changed boolean := false;  -- this step updates the existing E
  v_credit boolean := false;   -- this step credits E (new or pending): risk verdict, hold or pay
  v_created boolean := false;  -- this step inserted the virtual click
  v_show boolean := true;
BEGIN
  IF p_click IS NOT NULL AND p_click->>'click_id' = p_click_id THEN
    -- A user-keyed conversion: its virtual click is inserted first, before deciding, so concurrent
    -- steps of one new transaction queue on its key (they then see it, committed, and its
    -- earning). It is written as a first conversion leaves it (the usual outcome, so no second
    -- write of the row); the decision reads c, the click as it was before this step. A step that
    -- writes no earning removes it again (or marks it expired). No conflict target: both unique
    -- keys (click id, and network with transaction id) are arbiters, so a concurrent insert of the
    -- same pair waits and does nothing instead of raising.
    c := jsonb_populate_record(NULL::${s}.clicks, p_click);
    INSERT INTO ${s}.clicks (${VIRTUAL_CLICK_COLUMNS})
      VALUES (c.click_id, c.user_id, c.product_id, c.offer_id, c.task_url, c.redirect_url, c.postback_url, c.ip_address,
        c.user_agent, c.referrer, c.clicked_at, c.expires_at,
        CASE WHEN c.goals IS NULL AND p_action = 'reject' THEN 'rejected' ELSE 'converted' END, p_conversion_id, true, p_now,
        c.visit_count, c.first_visit_at, c.last_visit_at, c.created_at, p_now, c.earn_up_to, c.referrer_id, c.commission_ppm,
        c.hold_above, c.hold_within_seconds, c.network, c.network_transaction_id, c.goals)
      ON CONFLICT DO NOTHING;
    v_created := FOUND;
  END IF;
  IF NOT v_created THEN
    -- The click row lock serialises every postback of one click: nobody else sees "pending" now.
    SELECT * INTO c FROM ${s}.clicks WHERE click_id = p_click_id FOR UPDATE;
    IF NOT FOUND AND p_click IS NOT NULL AND p_click->>'click_id' = p_click_id THEN
      -- The pair is held by a click with another id: the transaction is already someone's.
      v_decision := 'conflict';
    END IF;
  END IF;

  IF v_decision IS NOT NULL THEN
    v_show := false;
  ELSIF c.click_id IS NULL THEN
    v_decision := 'unknown_click';
    v_show := false;
  ELSIF p_click IS NOT NULL AND c.user_id <> p_click->>'user_id' THEN
    -- A network transaction never moves to another user.
    v_decision := 'conflict';
    v_show := false;
  ELSE
    -- Earnings of a click change only under its click's lock (held now), so no second lock is
    -- needed; and a click not yet bound to a conversion has no earning to look up.
    IF c.conversion_id IS NOT NULL THEN
      SELECT * INTO e FROM ${s}.earnings WHERE click_id = p_click_id AND conversion_id = p_conversion_id;
    END IF;
    IF e.earning_id IS NULL THEN
      v_show := false;
      IF (c.goals IS NULL AND c.conversion_id IS NOT NULL AND c.conversion_id <> p_conversion_id)
          OR (jsonb_typeof(c.goals) = 'array' AND NOT (left(p_conversion_id, 5) = 'goal:' AND c.goals ? substr(p_conversion_id, 6)))
          OR c.status = 'rejected' THEN
        v_decision := 'conflict';
      ELSIF c.status = 'expired' OR p_now >= c.expires_at THEN
        v_decision := 'expired';
        IF v_created THEN
          UPDATE ${s}.clicks SET status = 'expired', conversion_id = NULL, postback_received = false, postback_received_at = NULL,
            updated_at = p_now WHERE click_id = p_click_id;
        ELSE
          UPDATE ${s}.clicks SET status = 'expired', updated_at = p_now WHERE click_id = p_click_id AND status = 'pending';
        END IF;
      ELSE
        v_new := true;
        v_show := true;
        e.earning_id := p_new_earning_id; e.user_id := c.user_id; e.product_id := c.product_id;
        e.offer_id := coalesce(p_offer_id, c.offer_id); e.click_id := c.click_id; e.conversion_id := p_conversion_id;
        e.transaction_id := p_transaction_id;
        e.amount := CASE WHEN p_amount IS NULL OR p_amount > c.earn_up_to THEN c.earn_up_to ELSE p_amount END;
        e.status := 'pending'; e.approval_status := 'pending'; e.type := 'postback';
        e.credited := false; e.reversed_before_credit := false;
        e.referrer_id := c.referrer_id;
        e.commission := ${s}.commission_of(e.amount, c.referrer_id, c.commission_ppm);
        e.last_postback_status := p_status; e.postback_received := true; e.postback_received_at := p_now;
        e.postback_data := p_raw; e.earned_at := p_now; e.created_at := p_now; e.updated_at := p_now;
        e.network := c.network;
        IF p_action = 'credit' THEN
          v_credit := true;
        ELSIF p_action = 'pending' THEN
          v_decision := 'recorded_pending';
        ELSE
          e.status := 'cancelled'; e.approval_status := 'rejected'; e.cancelled_at := p_now;
          IF p_action = 'reject' THEN
            e.cancel_reason := 'rejected'; v_decision := 'rejected';
          ELSE
            e.cancel_reason := 'reversed'; e.reversed_before_credit := true; v_decision := 'pre_reversed';
          END IF;
        END IF;
      END IF;
    ELSE
      -- A later postback of a recorded conversion: expiry no longer matters.
      IF p_action = 'credit' THEN
        IF e.status = 'pending' THEN
          v_changed := true;
          v_credit := true;
          IF p_amount IS NOT NULL THEN
            e.amount := CASE WHEN p_amount > c.earn_up_to THEN c.earn_up_to ELSE p_amount END;
            e.commission := ${s}.commission_of(e.amount, e.referrer_id, c.commission_ppm);
          END IF;
        ELSIF e.status = 'cancelled' AND e.reversed_before_credit THEN
          v_changed := true;
          e.reversed_before_credit := false; e.credited := true; e.credited_at := p_now;
          v_credits := true; v_debits := true;
          v_decision := 'netted';
        ELSIF e.cancel_reason = 'rejected' AND NOT e.credited THEN
          v_decision := 'conflict'; v_show := false;
        ELSE
          v_decision := 'duplicate';
        END IF;
      ELSIF p_action IN ('reject', 'reverse') AND e.status <> 'cancelled' THEN
        v_changed := true;
        IF e.status = 'completed' AND e.credited THEN
          v_debits := true;
          v_decision := 'reversed';
        ELSE
          e.approval_status := 'rejected';
          v_decision := CASE WHEN p_action = 'reject' THEN 'rejected' ELSE 'cancelled' END;
        END IF;
        e.status := 'cancelled'; e.cancelled_at := p_now;
        e.cancel_reason := CASE WHEN p_action = 'reject' THEN 'rejected' ELSE 'reversed' END;
        -- On a goals click a reject cancels only its own goal; the click stays open for the others.
        IF p_action = 'reject' AND c.goals IS NULL THEN
          UPDATE ${s}.clicks SET status = 'rejected', updated_at = p_now WHERE click_id = p_click_id AND status <> 'rejected';
        END IF;
      ELSE
        v_decision := 'duplicate';
      END IF;
    END IF;
  END IF;

  IF v_credit THEN
    IF p_risk IS NOT NULL AND (jsonb_typeof(p_risk->'perUserDailyCap') = 'object' OR jsonb_typeof(p_risk->'perIpDailyCap') = 'object') THEN
      v_day := (p_now AT TIME ZONE 'UTC')::date;
      v_ip := coalesce(c.ip_address, p_conversion_ip);
      IF jsonb_typeof(p_risk->'perUserDailyCap') = 'object' THEN
        u := ${s}.lock_risk_counter('user', v_day, c.user_id);
      END IF;
      IF jsonb_typeof(p_risk->'perIpDailyCap') = 'object' AND v_ip IS NOT NULL THEN
        i := ${s}.lock_risk_counter('ip', v_day, v_ip);
      END IF;
    END IF;
    IF p_risk IS NOT NULL THEN
      v_verdict := ${s}.risk_verdict(c, p_risk, p_offer_id, p_conversion_ip, p_now, e.amount, u, i);
    END IF;
    IF v_verdict[1] = 'refuse' THEN
      -- Refused: nothing but the audit row is written (E stays as it was, or is not created).
      v_decision := v_verdict[2]; v_rule := v_verdict[2];
      v_new := false; v_changed := false; v_show := false;
    ELSE
      e.status := 'completed';
      IF v_verdict IS NOT NULL OR ${s}.is_held(c, e.amount, p_now) THEN
        e.approval_status := 'pending'; v_decision := 'held'; v_rule := v_verdict[2];
      ELSE
        e.approval_status := 'auto_approved'; e.credited := true; e.credited_at := p_now;
        v_credits := true;
        v_decision := 'credited';
        IF u.scope IS NOT NULL THEN
          UPDATE ${s}.risk_counters SET conversions = conversions + 1, amount = amount + e.amount
            WHERE scope = 'user' AND day = v_day AND subject = u.subject;
        END IF;
        IF i.scope IS NOT NULL THEN
          UPDATE ${s}.risk_counters SET conversions = conversions + 1, amount = amount + e.amount
            WHERE scope = 'ip' AND day = v_day AND subject = i.subject;
        END IF;
      END IF;
    END IF;
  END IF;

  IF v_new THEN
    INSERT INTO ${s}.earnings VALUES (e.*);
    -- A virtual click inserted by this step is already in this state.
    IF NOT v_created THEN
      UPDATE ${s}.clicks SET
        conversion_id = CASE WHEN c.goals IS NULL THEN p_conversion_id ELSE coalesce(c.conversion_id, p_conversion_id) END,
        status = CASE WHEN c.goals IS NULL AND p_action = 'reject' THEN 'rejected' ELSE 'converted' END,
        postback_received = true, postback_received_at = p_now, updated_at = p_now
      WHERE click_id = p_click_id;
    END IF;
  ELSIF v_changed THEN
    e.last_postback_status := p_status; e.postback_received_at := p_now; e.postback_data := p_raw;
    e.transaction_id := coalesce(p_transaction_id, e.transaction_id); e.updated_at := p_now;
    PERFORM ${s}.save_earning(e);
  ELSIF v_created AND v_decision <> 'expired' THEN
    -- A virtual click is kept only with its earning (or marked expired), as the core decides.
    DELETE FROM ${s}.clicks WHERE click_id = p_click_id;
    v_created := false;
    c := NULL;
  END IF;

  -- The event of the step (the table of src/events/events-of.ts), recorded in its transaction.
  IF v_show AND p_record_event THEN
    v_event_type := CASE v_decision
      WHEN 'credited' THEN 'conversion.credited' WHEN 'netted' THEN 'conversion.credited'
      WHEN 'held' THEN 'conversion.held' WHEN 'recorded_pending' THEN 'conversion.pending'
      WHEN 'rejected' THEN 'conversion.rejected' WHEN 'reversed' THEN 'conversion.reversed'
      WHEN 'pre_reversed' THEN 'conversion.reversed'
      WHEN 'cancelled' THEN CASE WHEN e.cancel_reason = 'reversed' THEN 'conversion.reversed' ELSE 'conversion.rejected' END
      ELSE NULL END;
    IF v_event_type IS NOT NULL THEN
      v_sign := CASE v_decision WHEN 'credited' THEN 1 WHEN 'reversed' THEN -1 ELSE 0 END;
      v_data := jsonb_build_object('change', v_decision, 'earningId', e.earning_id, 'clickId', e.click_id,
        'conversionId', e.conversion_id, 'productId', e.product_id, 'status', e.status,
        'approvalStatus', e.approval_status, 'amount', e.amount::text, 'walletDelta', (e.amount * v_sign)::text,
        'referrerId', e.referrer_id, 'commissionDelta', (e.commission * v_sign)::text, 'ledgerKey', NULL, 'reason', NULL);
      v_event := json_build_object('id', 'evt_' || p_attempt_id, 'type', v_event_type, 'userId', e.user_id, 'createdAt', p_now,
        'data', v_data);
    END IF;
  END IF;

  -- The audit row, with the click's owner, product and network (none when there is no click).
  INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, source_ip,
    raw_data, decision, earning_id, message, received_at, rule, user_id, product_id, network)
  VALUES (p_attempt_id, p_click_id, p_conversion_id, p_status, p_raw_amount, p_source_ip, p_raw, v_decision,
    CASE WHEN v_show THEN e.earning_id END, NULL, p_now, v_rule, c.user_id, c.product_id, c.network);
  IF v_event IS NOT NULL THEN
    INSERT INTO ${s}.events (event_id, type, user_id, created_at, data, next_attempt_at)
      VALUES ('evt_' || p_attempt_id, v_event_type, e.user_id, p_now, v_data, p_now) ON CONFLICT (event_id) DO NOTHING;
  END IF;

  -- Outbox ledger: the owed operations, answered so the caller applies them through its wallet.
  IF (v_credits OR v_debits) AND p_ledger <> 'inline' THEN
    WITH owed AS (
      INSERT INTO ${s}.wallet_outbox (op_key, user_id, kind, amount, earning_id, reverses_key, reason, created_at)
        SELECT op.key, op.user_id, op.kind, op.amount, e.earning_id, op.reverses_key, op.kind, p_now
        FROM ${s}.earning_entries(e, v_credits, v_debits) op ORDER BY op.user_id, op.key
        ON CONFLICT (op_key) DO NOTHING
        RETURNING op_key, user_id, kind, amount, reverses_key)
    SELECT coalesce(json_agg(json_build_object('key', op_key, 'user_id', user_id, 'kind', kind, 'amount', amount::text,
        'earning_id', e.earning_id, 'reverses_key', reverses_key, 'reason', kind, 'created_at', p_now) ORDER BY user_id, op_key), '[]')
      INTO v_owed FROM owed;
  END IF;

  v_answer := json_build_object('decision', v_decision, 'rule', v_rule,
    'earning', CASE WHEN v_show THEN ${s}.earning_answer(e) END, 'owed', v_owed, 'event', v_event);

  -- Inline ledger, last: the entries (a key already posted moves nothing), then the wallets of the
  -- entries posted now, in user order (concurrent steps lock wallets in one order), held to commit.
  IF (v_credits OR v_debits) AND p_ledger = 'inline' THEN
    WITH posted AS (
      INSERT INTO ${s}.ledger_entries (idempotency_key, user_id, kind, amount, earning_id, reverses_key, reason, created_at)
        SELECT op.key, op.user_id, op.kind, op.amount, e.earning_id, op.reverses_key, op.kind, p_now
        FROM ${s}.earning_entries(e, v_credits, v_debits) op ORDER BY op.user_id, op.key
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING user_id, amount)
    INSERT INTO ${s}.wallets AS w (user_id, balance, updated_at)
      SELECT user_id, sum(amount)::bigint, p_now FROM posted GROUP BY user_id ORDER BY user_id
      ON CONFLICT (user_id) DO UPDATE SET balance = w.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at;
  END IF;
  RETURN v_answer;
END $fn$;
`;
