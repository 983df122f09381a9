/**
 * Migration 002: the conversion model of issue 9 — user-keyed (virtual) clicks, goals, risk rules.
 * Columns are added nullable without defaults (a catalog change, no table rewrite); the
 * `apply_conversion` step is replaced by one with the extra parameters, still one statement and
 * one transaction per postback. It implements the state machine documented on `ClickStore`
 * (src/ports.ts), branch for branch with src/conversion.ts and src/risk.ts. `s` is the quoted schema.
 * @module
 */
/** The click columns `clickJson` (rows.ts) provides: those of 001 and 002, fixed with this migration. */
const VIRTUAL_CLICK_COLUMNS = `click_id, user_id, product_id, offer_id, task_url, redirect_url, postback_url, ip_address,
      user_agent, referrer, clicked_at, expires_at, status, conversion_id, postback_received, postback_received_at,
      visit_count, first_visit_at, last_visit_at, created_at, updated_at, earn_up_to, referrer_id, commission_ppm,
      hold_above, hold_within_seconds, network, network_transaction_id, goals`;

export const migration002 = (s: string): string => /* sql */ `
ALTER TABLE ${s}.clicks
  ADD COLUMN network text,
  ADD COLUMN network_transaction_id text,
  ADD COLUMN goals jsonb CHECK (goals IS NULL OR goals = 'true'::jsonb OR jsonb_typeof(goals) = 'array');
-- Idempotency of user-keyed conversions by (network, transaction id), beside the click id that is
-- derived from the pair. Partial: our own clicks (network NULL) add no entry to it.
CREATE UNIQUE INDEX clicks_network_transaction ON ${s}.clicks (network, network_transaction_id) WHERE network IS NOT NULL;

ALTER TABLE ${s}.postback_attempts ADD COLUMN rule text;

-- Daily risk counters: auto-credited conversions per (scope, UTC day, subject). Rows of past days
-- are never read again; prune them at will (DELETE ... WHERE day < current_date - 2).
CREATE TABLE ${s}.risk_counters (
  scope text NOT NULL CHECK (scope IN ('user', 'ip')),
  day date NOT NULL,
  subject text NOT NULL,
  conversions bigint NOT NULL DEFAULT 0,
  amount numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, day, subject)
);

-- The counter row of a subject for a day, created at zero and locked until the step commits, so
-- concurrent conversions of one user or IP are counted one after the other (caps stay exact).
-- Lock order in a step: the click, then the user counter, then the IP counter, then wallets.
CREATE FUNCTION ${s}.lock_risk_counter(p_scope text, p_day date, p_subject text) RETURNS ${s}.risk_counters
LANGUAGE plpgsql AS $fn$
DECLARE
  r ${s}.risk_counters;
BEGIN
  INSERT INTO ${s}.risk_counters (scope, day, subject) VALUES (p_scope, p_day, p_subject) ON CONFLICT DO NOTHING;
  SELECT * INTO r FROM ${s}.risk_counters WHERE scope = p_scope AND day = p_day AND subject = p_subject FOR UPDATE;
  RETURN r;
END $fn$;

-- assessRisk (src/risk.ts): ARRAY[effect, rule] of the first refusing rule, else of the first rule
-- that fires, else NULL. Order: offer_mismatch, too_soon, too_late, ip_mismatch, user_daily_cap,
-- ip_daily_cap. A NULL counter means the cap is off (or no IP is known) for this step.
CREATE FUNCTION ${s}.risk_verdict(c ${s}.clicks, p_risk jsonb, p_offer_id text, p_conversion_ip text, p_now timestamptz,
  p_amount bigint, u ${s}.risk_counters, i ${s}.risk_counters) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  v_fired text[] := '{}';
  v_rule jsonb;
  v_cap jsonb;
  v_at integer;
BEGIN
  IF p_risk IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_risk->>'offerMismatch' IS NOT NULL AND p_offer_id IS NOT NULL AND c.offer_id IS NOT NULL AND p_offer_id <> c.offer_id THEN
    v_fired := v_fired || ARRAY[p_risk->>'offerMismatch', 'offer_mismatch'];
  END IF;
  -- A user-keyed click is created by its first callback: its click time says nothing.
  IF c.network IS NULL THEN
    v_rule := p_risk->'minSecondsToConvert';
    IF jsonb_typeof(v_rule) = 'object' AND p_now - c.clicked_at < make_interval(secs => (v_rule->>'seconds')::integer) THEN
      v_fired := v_fired || ARRAY[v_rule->>'effect', 'too_soon'];
    END IF;
    v_rule := p_risk->'maxSecondsToConvert';
    IF jsonb_typeof(v_rule) = 'object' AND p_now - c.clicked_at > make_interval(secs => (v_rule->>'seconds')::integer) THEN
      v_fired := v_fired || ARRAY[v_rule->>'effect', 'too_late'];
    END IF;
  END IF;
  IF p_risk->>'ipMismatch' = 'hold' AND c.ip_address IS NOT NULL AND p_conversion_ip IS NOT NULL AND c.ip_address <> p_conversion_ip THEN
    v_fired := v_fired || ARRAY['hold', 'ip_mismatch'];
  END IF;
  v_cap := p_risk->'perUserDailyCap';
  IF u.scope IS NOT NULL AND jsonb_typeof(v_cap) = 'object' AND (
      (v_cap->>'count' IS NOT NULL AND u.conversions + 1 > (v_cap->>'count')::bigint)
      OR (v_cap->>'amountMinor' IS NOT NULL AND u.amount + p_amount > (v_cap->>'amountMinor')::numeric)) THEN
    v_fired := v_fired || ARRAY['hold', 'user_daily_cap'];
  END IF;
  v_cap := p_risk->'perIpDailyCap';
  IF i.scope IS NOT NULL AND jsonb_typeof(v_cap) = 'object' AND (
      (v_cap->>'count' IS NOT NULL AND i.conversions + 1 > (v_cap->>'count')::bigint)
      OR (v_cap->>'amountMinor' IS NOT NULL AND i.amount + p_amount > (v_cap->>'amountMinor')::numeric)) THEN
    v_fired := v_fired || ARRAY['hold', 'ip_daily_cap'];
  END IF;
  -- v_fired is flat: effect, rule, effect, rule...
  FOR v_at IN 1 .. coalesce(array_length(v_fired, 1), 0) BY 2 LOOP
    IF v_fired[v_at] = 'refuse' THEN
      RETURN ARRAY[v_fired[v_at], v_fired[v_at + 1]];
    END IF;
  END LOOP;
  IF coalesce(array_length(v_fired, 1), 0) > 0 THEN
    RETURN ARRAY[v_fired[1], v_fired[2]];
  END IF;
  RETURN NULL;
END $fn$;

DROP FUNCTION ${s}.apply_conversion(text, text, text, text, text, bigint, text, text, text, timestamptz, text, text, text, jsonb);

CREATE FUNCTION ${s}.apply_conversion(
  p_attempt_id text, p_click_id text, p_conversion_id text, p_action text, p_status text,
  p_amount bigint, p_raw_amount text, p_transaction_id text, p_offer_id text, p_now timestamptz,
  p_new_earning_id text, p_ledger text, p_source_ip text, p_raw jsonb,
  p_click jsonb, p_risk jsonb, p_conversion_ip text
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
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
  v_ops jsonb := '[]'::jsonb;
  v_owed jsonb := '[]'::jsonb;
  v_new boolean := false;      -- this step creates E
  v_changed boolean := false;  -- this step updates the existing E
  v_credit boolean := false;   -- this step credits E (new or pending): risk verdict, hold or pay
  v_created boolean := false;  -- this step inserted the virtual click
  v_show boolean := true;
BEGIN
  -- The click row lock serialises every postback of one click: nobody else sees "pending" now.
  SELECT * INTO c FROM ${s}.clicks WHERE click_id = p_click_id FOR UPDATE;
  IF NOT FOUND AND p_click IS NOT NULL AND p_click->>'click_id' = p_click_id THEN
    -- Inserted before deciding, so concurrent steps of one new transaction queue on its key (they
    -- then see it, committed, and its earning); a step that writes no earning deletes it again.
    -- No conflict target: both unique keys (click id, and network with transaction id) are
    -- arbiters, so a concurrent insert of the same pair waits and does nothing instead of raising.
    -- Named columns: a column a later migration adds takes its default rather than a NULL.
    INSERT INTO ${s}.clicks (${VIRTUAL_CLICK_COLUMNS})
      SELECT ${VIRTUAL_CLICK_COLUMNS} FROM jsonb_populate_record(NULL::${s}.clicks, p_click)
      ON CONFLICT DO NOTHING;
    v_created := FOUND;
    SELECT * INTO c FROM ${s}.clicks WHERE click_id = p_click_id FOR UPDATE;
    IF NOT FOUND THEN
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
        UPDATE ${s}.clicks SET status = 'expired', updated_at = p_now WHERE click_id = p_click_id AND status = 'pending';
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
          v_ops := ${s}.credit_ops(e) || ${s}.reversal_ops(e);
          v_decision := 'netted';
        ELSIF e.cancel_reason = 'rejected' AND NOT e.credited THEN
          v_decision := 'conflict'; v_show := false;
        ELSE
          v_decision := 'duplicate';
        END IF;
      ELSIF p_action IN ('reject', 'reverse') AND e.status <> 'cancelled' THEN
        v_changed := true;
        IF e.status = 'completed' AND e.credited THEN
          v_ops := ${s}.reversal_ops(e);
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
    IF jsonb_typeof(p_risk->'perUserDailyCap') = 'object' OR jsonb_typeof(p_risk->'perIpDailyCap') = 'object' THEN
      v_day := (p_now AT TIME ZONE 'UTC')::date;
      v_ip := coalesce(c.ip_address, p_conversion_ip);
      IF jsonb_typeof(p_risk->'perUserDailyCap') = 'object' THEN
        u := ${s}.lock_risk_counter('user', v_day, c.user_id);
      END IF;
      IF jsonb_typeof(p_risk->'perIpDailyCap') = 'object' AND v_ip IS NOT NULL THEN
        i := ${s}.lock_risk_counter('ip', v_day, v_ip);
      END IF;
    END IF;
    v_verdict := ${s}.risk_verdict(c, p_risk, p_offer_id, p_conversion_ip, p_now, e.amount, u, i);
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
        v_ops := ${s}.credit_ops(e);
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
    UPDATE ${s}.clicks SET
      conversion_id = CASE WHEN c.goals IS NULL THEN p_conversion_id ELSE coalesce(c.conversion_id, p_conversion_id) END,
      status = CASE WHEN c.goals IS NULL AND p_action = 'reject' THEN 'rejected' ELSE 'converted' END,
      postback_received = true, postback_received_at = p_now, updated_at = p_now
    WHERE click_id = p_click_id;
  ELSIF v_changed THEN
    e.last_postback_status := p_status; e.postback_received_at := p_now; e.postback_data := p_raw;
    e.transaction_id := coalesce(p_transaction_id, e.transaction_id); e.updated_at := p_now;
    PERFORM ${s}.save_earning(e);
  ELSIF v_created AND v_decision <> 'expired' THEN
    -- A virtual click is kept only with its earning (or marked expired), as the core decides.
    DELETE FROM ${s}.clicks WHERE click_id = p_click_id;
  END IF;

  IF jsonb_array_length(v_ops) > 0 THEN
    v_owed := ${s}.move_money(v_ops, p_ledger, p_now);
  END IF;
  INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, source_ip,
    raw_data, decision, earning_id, message, received_at, rule)
  VALUES (p_attempt_id, p_click_id, p_conversion_id, p_status, p_raw_amount, p_source_ip, p_raw, v_decision,
    CASE WHEN v_show THEN e.earning_id END, NULL, p_now, v_rule);
  RETURN jsonb_build_object('decision', v_decision, 'rule', v_rule,
    'earning', CASE WHEN v_show THEN ${s}.earning_json(e) END, 'owed', v_owed);
END $fn$;
`;
