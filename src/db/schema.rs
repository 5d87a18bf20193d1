//! Diesel table declarations shared by the SQLite and PostgreSQL backends (kept by hand: both
//! migrations declare the same columns with portable types).

diesel::table! {
    officials (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        is_bootstrap -> Bool,
        created_at_ms -> BigInt,
        revoked_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    developers (id) {
        id -> BigInt,
        name -> Text,
        credit_code -> Text,
        contact_name_enc -> Text,
        contact_name_masked -> Text,
        contact_phone_enc -> Text,
        contact_phone_masked -> Text,
        status -> Text,
        status_reason -> Nullable<Text>,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    developer_keys (id) {
        id -> BigInt,
        developer_id -> BigInt,
        key_hash -> Text,
        key_prefix -> Text,
        created_at_ms -> BigInt,
        revoked_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        developer_id -> BigInt,
        name -> Text,
        district -> Text,
        zone_class -> Integer,
        address -> Text,
        lat -> Nullable<Double>,
        lng -> Nullable<Double>,
        presale_permit_no -> Text,
        delivery -> Text,
        delivery_date -> Nullable<Text>,
        amenities -> Text,
        description -> Text,
        status -> Text,
        status_reason -> Nullable<Text>,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    units (id) {
        id -> BigInt,
        project_id -> BigInt,
        building -> Text,
        unit -> Text,
        room -> Text,
        floor -> Integer,
        layout -> Text,
        rooms -> Nullable<Integer>,
        halls -> Nullable<Integer>,
        baths -> Nullable<Integer>,
        area_centi_m2 -> BigInt,
        inner_area_centi_m2 -> Nullable<BigInt>,
        price_per_m2_yuan -> BigInt,
        total_price_yuan -> BigInt,
        orientation -> Nullable<Text>,
        decoration -> Nullable<Text>,
        description -> Text,
        status -> Text,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
        usage -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at_ms -> BigInt,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        object_kind -> Text,
        object_id -> Nullable<BigInt>,
        request_id -> Nullable<Text>,
        details -> Text,
        seq -> BigInt,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::joinable!(developer_keys -> developers (developer_id));
diesel::joinable!(projects -> developers (developer_id));
diesel::joinable!(units -> projects (project_id));

diesel::table! {
    listing_changes (seq) {
        seq -> BigInt,
        unit_id -> Nullable<BigInt>,
        project_id -> Nullable<BigInt>,
        developer_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
    }
}

diesel::table! {
    policy_versions (version) {
        version -> BigInt,
        effective_from_ms -> BigInt,
        body -> Text,
        created_by_official_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
    }
}

diesel::table! {
    households (id) {
        id -> BigInt,
        name_enc -> Text,
        name_masked -> Text,
        name_hmac -> Text,
        id_number_enc -> Text,
        id_number_masked -> Text,
        id_number_hmac -> Text,
        phone_enc -> Text,
        phone_masked -> Text,
        expropriation_project -> Text,
        origin_area_centi_m2 -> BigInt,
        remaining_origin_area_centi_m2 -> BigInt,
        origin_zone -> Integer,
        assessed_price_yuan_per_m2 -> BigInt,
        signed_at_ms -> BigInt,
        family_size -> Integer,
        method -> Text,
        voucher_no -> Text,
        pin_hash -> Text,
        login_failures -> Integer,
        locked_until_ms -> Nullable<BigInt>,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
        login_lockouts -> Integer,
        pin_day_start_ms -> Nullable<BigInt>,
        pin_day_failures -> Integer,
        co_applicants_enc -> Nullable<Text>,
    }
}

diesel::table! {
    kiosk_sessions (id) {
        id -> BigInt,
        household_id -> BigInt,
        token_hash -> Text,
        created_at_ms -> BigInt,
        last_seen_ms -> BigInt,
        expires_at_ms -> BigInt,
        ended_at_ms -> Nullable<BigInt>,
        ticket_id -> Nullable<BigInt>,
        proxy_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(kiosk_sessions -> households (household_id));

diesel::table! {
    rounds (id) {
        id -> BigInt,
        name -> Text,
        ordering -> Text,
        seed_sha256 -> Nullable<Text>,
        seed -> Nullable<Text>,
        status -> Text,
        ordered -> Bool,
        called_up_to -> Integer,
        created_by_official_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    round_members (round_id, household_id) {
        round_id -> BigInt,
        household_id -> BigInt,
        position -> Nullable<Integer>,
        called_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    reservations (id) {
        id -> BigInt,
        household_id -> BigInt,
        unit_id -> BigInt,
        round_id -> Nullable<BigInt>,
        status -> Text,
        held_at_ms -> BigInt,
        expires_at_ms -> BigInt,
        confirmed_at_ms -> Nullable<BigInt>,
        confirmed_day -> Nullable<Integer>,
        contracted_at_ms -> Nullable<BigInt>,
        ended_at_ms -> Nullable<BigInt>,
        policy_version -> Nullable<BigInt>,
        entitled_centi_m2 -> Nullable<BigInt>,
        covered_centi_m2 -> Nullable<BigInt>,
        origin_consumed_centi_m2 -> Nullable<BigInt>,
        gov_pays_yuan -> Nullable<BigInt>,
        top_up_yuan -> Nullable<BigInt>,
        reward_yuan -> Nullable<BigInt>,
        contract_no -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        updated_at_ms -> BigInt,
        ticket_id -> Nullable<BigInt>,
        ticket_debit_yuan -> Nullable<BigInt>,
        ticket_bonus_yuan -> Nullable<BigInt>,
        ticket_bonus_pct -> Nullable<Integer>,
        ticket_balance_after_yuan -> Nullable<BigInt>,
        proxy_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    idempotency_keys (scope, idem_key) {
        scope -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at_ms -> BigInt,
    }
}

diesel::joinable!(round_members -> rounds (round_id));
diesel::joinable!(round_members -> households (household_id));
diesel::joinable!(reservations -> households (household_id));
diesel::joinable!(reservations -> units (unit_id));

diesel::table! {
    developer_webhooks (developer_id) {
        developer_id -> BigInt,
        url -> Text,
        secret_enc -> Text,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        developer_id -> BigInt,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at_ms -> BigInt,
        claim_token -> Nullable<Text>,
        claimed_until_ms -> Nullable<BigInt>,
        last_attempt_at_ms -> Nullable<BigInt>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at_ms -> BigInt,
        delivered_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        household_id -> BigInt,
        ticket_no -> Text,
        pin_hash -> Text,
        holder_name_enc -> Nullable<Text>,
        holder_name_masked -> Nullable<Text>,
        holder_id_number_enc -> Nullable<Text>,
        holder_id_number_masked -> Nullable<Text>,
        holder_id_number_hmac -> Nullable<Text>,
        holder_phone_enc -> Nullable<Text>,
        holder_phone_masked -> Nullable<Text>,
        face_value_yuan -> BigInt,
        issued_at_ms -> BigInt,
        valid_until_ms -> BigInt,
        balance_yuan -> BigInt,
        debited_yuan -> BigInt,
        cashed_out_yuan -> BigInt,
        voided_yuan -> BigInt,
        transfers_used -> Integer,
        status -> Text,
        status_reason -> Nullable<Text>,
        policy_version -> BigInt,
        login_failures -> Integer,
        locked_until_ms -> Nullable<BigInt>,
        login_lockouts -> Integer,
        pin_day_start_ms -> Nullable<BigInt>,
        pin_day_failures -> Integer,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    ticket_entries (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        kind -> Text,
        amount_yuan -> BigInt,
        reservation_id -> Nullable<BigInt>,
        developer_id -> Nullable<BigInt>,
        bonus_pct -> Nullable<Integer>,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        details -> Text,
        at_ms -> BigInt,
        entry_day -> Integer,
    }
}

diesel::table! {
    ticket_redemption_codes (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        code_hash -> Text,
        created_at_ms -> BigInt,
        expires_at_ms -> BigInt,
        used_at_ms -> Nullable<BigInt>,
        reservation_id -> Nullable<BigInt>,
        proxy_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(tickets -> households (household_id));
diesel::joinable!(ticket_entries -> tickets (ticket_id));
diesel::joinable!(ticket_redemption_codes -> tickets (ticket_id));

diesel::table! {
    proxies (id) {
        id -> BigInt,
        household_id -> BigInt,
        name_enc -> Text,
        name_masked -> Text,
        id_number_enc -> Text,
        id_number_masked -> Text,
        id_number_hmac -> Text,
        phone_enc -> Text,
        phone_masked -> Text,
        relation -> Text,
        document_no_enc -> Nullable<Text>,
        document_no_masked -> Nullable<Text>,
        pin_hash -> Text,
        status -> Text,
        created_by_official_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
        revoked_at_ms -> Nullable<BigInt>,
        revoked_by_official_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        round_id -> BigInt,
        title -> Text,
        starts_at_ms -> BigInt,
        ends_at_ms -> BigInt,
        policy_version -> Nullable<BigInt>,
        created_by_official_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
    }
}

diesel::table! {
    notice_lines (notice_id, position) {
        notice_id -> BigInt,
        position -> Integer,
        reservation_id -> BigInt,
        household_id -> BigInt,
        name_masked -> Text,
        id_number_masked -> Text,
        expropriation_project -> Text,
        origin_area_centi_m2 -> BigInt,
        project_id -> BigInt,
        project_name -> Text,
        building -> Text,
        unit -> Text,
        room -> Text,
        area_centi_m2 -> BigInt,
        origin_consumed_centi_m2 -> BigInt,
        selected_by -> Text,
        proxy_name_masked -> Nullable<Text>,
        proxy_relation -> Nullable<Text>,
    }
}

diesel::table! {
    objections (id) {
        id -> BigInt,
        receipt_no -> Text,
        notice_id -> BigInt,
        line_position -> Nullable<Integer>,
        text -> Text,
        contact_name_enc -> Text,
        contact_name_masked -> Text,
        contact_phone_enc -> Text,
        contact_phone_masked -> Text,
        household_id -> Nullable<BigInt>,
        proxy_id -> Nullable<BigInt>,
        status -> Text,
        review_deadline_ms -> BigInt,
        response -> Nullable<Text>,
        resolved_at_ms -> Nullable<BigInt>,
        resolved_by_official_id -> Nullable<BigInt>,
        cancelled_reservation_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
    }
}

diesel::table! {
    notification_endpoints (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        secret_enc -> Text,
        status -> Text,
        created_by_official_id -> Nullable<BigInt>,
        created_at_ms -> BigInt,
        updated_at_ms -> BigInt,
    }
}

diesel::table! {
    notification_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event -> Text,
        household_id -> Nullable<BigInt>,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at_ms -> BigInt,
        claim_token -> Nullable<Text>,
        claimed_until_ms -> Nullable<BigInt>,
        last_attempt_at_ms -> Nullable<BigInt>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at_ms -> BigInt,
        delivered_at_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    handovers (reservation_id) {
        reservation_id -> BigInt,
        contracted_area_centi_m2 -> BigInt,
        measured_area_centi_m2 -> BigInt,
        price_per_m2_yuan -> BigInt,
        area_case -> Text,
        household_pays_yuan -> BigInt,
        developer_absorbs_yuan -> BigInt,
        developer_penalty_yuan -> BigInt,
        survey_report_no -> Text,
        handover_day -> Integer,
        filed_at_ms -> BigInt,
        filed_by_developer_id -> Nullable<BigInt>,
        corrected_at_ms -> Nullable<BigInt>,
        corrected_by_official_id -> Nullable<BigInt>,
        correction_reason -> Nullable<Text>,
        rescinded_at_ms -> Nullable<BigInt>,
        rescind_reason -> Nullable<Text>,
        moved_in_day -> Nullable<Integer>,
        moved_in_at_ms -> Nullable<BigInt>,
    }
}

diesel::joinable!(proxies -> households (household_id));
diesel::joinable!(notices -> rounds (round_id));
diesel::joinable!(notice_lines -> notices (notice_id));
diesel::joinable!(notice_lines -> reservations (reservation_id));
diesel::joinable!(objections -> notices (notice_id));
diesel::joinable!(notification_deliveries -> notification_endpoints (endpoint_id));
diesel::joinable!(handovers -> reservations (reservation_id));

diesel::allow_tables_to_appear_in_same_query!(
    proxies,
    notices,
    notice_lines,
    objections,
    notification_endpoints,
    notification_deliveries,
    handovers,
    tickets,
    ticket_entries,
    ticket_redemption_codes,
    officials,
    developers,
    developer_keys,
    projects,
    units,
    audit_events,
    listing_changes,
    policy_versions,
    households,
    kiosk_sessions,
    rounds,
    round_members,
    reservations,
    idempotency_keys,
    developer_webhooks,
    webhook_deliveries,
);
