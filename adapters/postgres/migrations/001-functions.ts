/**
 * Migration 001, part 2: the postback and approval steps as PL/pgSQL functions, so each is one
 * round trip and one transaction. They implement the state machine documented on `ClickStore`
 * (src/ports.ts), branch for branch with src/conversion.ts.
 * @module
 */
export const migration001Functions = (s: string): string => /* sql */ `
CREATE FUNCTION ${s}.apply_conversion(
  p_attempt_id text, p_click_id text, p_conversion_id text, p_action text, p_status text,
  p_amount bigint, p_raw_amount text, p_transaction_id text, p_offer_id text, p_now timestamptz,
  p_new_earning_id text, p_ledger text, p_source_ip text, p_raw jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  c ${s}.clicks;
  e ${s}.earnings;
  v_decision text;
  v_ops jsonb := '[]'::jsonb;
  v_owed jsonb := '[]'::jsonb;
  v_changed boolean := false;
  v_show boolean := true;
BEGIN
  -- The click row lock serialises every postback of one click: nobody else sees "pending" now.
  SELECT * INTO c FROM ${s}.clicks WHERE click_id = p_click_id FOR UPDATE;
  IF NOT FOUND THEN
    v_decision := 'unknown_click';
    v_show := false;
  ELSE
    -- Earnings of a click change only under its click's lock (held now), so no second lock is
    -- needed; and a click not yet bound to a conversion has no earning to look up.
    IF c.conversion_id IS NOT NULL THEN
      SELECT * INTO e FROM ${s}.earnings WHERE click_id = p_click_id AND conversion_id = p_conversion_id;
    END IF;
    IF e.earning_id IS NULL THEN
      v_show := false;
      IF (c.conversion_id IS NOT NULL AND c.conversion_id <> p_conversion_id) OR c.status = 'rejected' THEN
        v_decision := 'conflict';
      ELSIF c.status = 'expired' OR (c.status = 'pending' AND p_now >= c.expires_at) THEN
        v_decision := 'expired';
        UPDATE ${s}.clicks SET status = 'expired', updated_at = p_now WHERE click_id = p_click_id AND status = 'pending';
      ELSE
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
          e.status := 'completed';
          IF ${s}.is_held(c, e.amount, p_now) THEN
            v_decision := 'held';
          ELSE
            e.approval_status := 'auto_approved'; e.credited := true; e.credited_at := p_now;
            v_ops := ${s}.credit_ops(e);
            v_decision := 'credited';
          END IF;
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
        INSERT INTO ${s}.earnings VALUES (e.*);
        UPDATE ${s}.clicks SET conversion_id = p_conversion_id,
          status = CASE WHEN p_action = 'reject' THEN 'rejected' ELSE 'converted' END,
          postback_received = true, postback_received_at = p_now, updated_at = p_now
        WHERE click_id = p_click_id;
      END IF;
    ELSE
      -- A later postback of a recorded conversion: expiry no longer matters.
      IF p_action = 'credit' THEN
        IF e.status = 'pending' THEN
          v_changed := true;
          IF p_amount IS NOT NULL THEN
            e.amount := CASE WHEN p_amount > c.earn_up_to THEN c.earn_up_to ELSE p_amount END;
            e.commission := ${s}.commission_of(e.amount, e.referrer_id, c.commission_ppm);
          END IF;
          e.status := 'completed';
          IF ${s}.is_held(c, e.amount, p_now) THEN
            e.approval_status := 'pending'; v_decision := 'held';
          ELSE
            e.approval_status := 'auto_approved'; e.credited := true; e.credited_at := p_now;
            v_ops := ${s}.credit_ops(e);
            v_decision := 'credited';
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
        IF p_action = 'reject' THEN
          UPDATE ${s}.clicks SET status = 'rejected', updated_at = p_now WHERE click_id = p_click_id AND status <> 'rejected';
        END IF;
      ELSE
        v_decision := 'duplicate';
      END IF;
      IF v_changed THEN
        e.last_postback_status := p_status; e.postback_received_at := p_now; e.postback_data := p_raw;
        e.transaction_id := coalesce(p_transaction_id, e.transaction_id); e.updated_at := p_now;
        PERFORM ${s}.save_earning(e);
      END IF;
    END IF;
  END IF;

  IF jsonb_array_length(v_ops) > 0 THEN
    v_owed := ${s}.move_money(v_ops, p_ledger, p_now);
  END IF;
  INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, source_ip,
    raw_data, decision, earning_id, message, received_at)
  VALUES (p_attempt_id, p_click_id, p_conversion_id, p_status, p_raw_amount, p_source_ip, p_raw, v_decision,
    CASE WHEN v_show THEN e.earning_id END, NULL, p_now);
  RETURN jsonb_build_object('decision', v_decision,
    'earning', CASE WHEN v_show THEN ${s}.earning_json(e) END, 'owed', v_owed);
END $fn$;

CREATE FUNCTION ${s}.decide_approval(p_earning_id text, p_approve boolean, p_now timestamptz, p_ledger text)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  e ${s}.earnings;
  v_click text;
  v_ops jsonb := '[]'::jsonb;
  v_owed jsonb := '[]'::jsonb;
BEGIN
  SELECT click_id INTO v_click FROM ${s}.earnings WHERE earning_id = p_earning_id;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('decision', 'not_found', 'earning', NULL, 'owed', v_owed);
  END IF;
  -- Same lock as apply_conversion: an approval and a reversal of one click never interleave.
  PERFORM 1 FROM ${s}.clicks WHERE click_id = v_click FOR UPDATE;
  SELECT * INTO e FROM ${s}.earnings WHERE earning_id = p_earning_id FOR UPDATE;
  IF (p_approve AND e.approval_status = 'manual_approved') OR (NOT p_approve AND e.cancel_reason = 'approval_rejected') THEN
    RETURN jsonb_build_object('decision', 'unchanged', 'earning', ${s}.earning_json(e), 'owed', v_owed);
  END IF;
  IF e.status <> 'completed' OR e.approval_status <> 'pending' THEN
    RETURN jsonb_build_object('decision', 'not_held', 'earning', ${s}.earning_json(e), 'owed', v_owed);
  END IF;
  e.updated_at := p_now;
  IF p_approve THEN
    e.approval_status := 'manual_approved'; e.credited := true; e.credited_at := p_now;
    v_ops := ${s}.credit_ops(e);
  ELSE
    e.approval_status := 'rejected'; e.status := 'cancelled'; e.cancel_reason := 'approval_rejected'; e.cancelled_at := p_now;
  END IF;
  PERFORM ${s}.save_earning(e);
  IF jsonb_array_length(v_ops) > 0 THEN
    v_owed := ${s}.move_money(v_ops, p_ledger, p_now);
  END IF;
  RETURN jsonb_build_object('decision', 'applied', 'earning', ${s}.earning_json(e), 'owed', v_owed);
END $fn$;

-- A manual wallet operation (creditWallet, a host payout) in one round trip.
CREATE FUNCTION ${s}.apply_wallet_op(p_key text, p_user text, p_kind text, p_amount bigint, p_earning text,
  p_reverses text, p_reason text, p_at timestamptz) RETURNS jsonb LANGUAGE plpgsql AS $fn$
BEGIN
  RETURN ${s}.post_entry(p_key, p_user, p_kind, p_amount, p_earning, p_reverses, p_reason, p_at);
END $fn$;
`;
