//! How the settings groups are read: defaults, ranges, the environment over `anju.toml`.

use super::*;

#[test]
fn the_outbound_allow_list_comes_from_the_environment_or_the_file() {
    let none = |_: &str| None;
    assert!(outbound(&none, None).unwrap().allow.is_empty());
    let from_file = outbound(&none, Some("10.0.0.0/8,sales.corp".into())).unwrap();
    assert_eq!(from_file.allow.to_string(), "10.0.0.0/8,sales.corp");
    let env = |k: &str| (k == "ANJU_OUTBOUND_ALLOW").then(|| "127.0.0.1".to_string());
    let both = outbound(&env, Some("10.0.0.0/8".into())).unwrap();
    assert_eq!(
        both.allow.to_string(),
        "127.0.0.1/32",
        "the environment wins"
    );
    let err = outbound(&none, Some("10.0.0.0/99".into())).unwrap_err();
    assert!(err.to_string().starts_with("ANJU_OUTBOUND_ALLOW"), "{err}");
}

#[test]
fn retention_days_come_from_the_environment_within_their_range() {
    let file = super::super::FileConfig::default();
    let env = |k: &str| match k {
        "ANJU_RETENTION_IDEMPOTENCY_DAYS" => Some("14".to_string()),
        "ANJU_RETENTION_EVERY_SECS" => Some("0".to_string()),
        _ => None,
    };
    let r = retention(&env, &file).unwrap();
    assert_eq!(
        (
            r.deliveries_days,
            r.idempotency_days,
            r.sessions_days,
            r.every_secs
        ),
        (30, 14, 30, 0)
    );
    let negative = |k: &str| (k == "ANJU_RETENTION_SESSIONS_DAYS").then(|| "-1".to_string());
    assert!(retention(&negative, &file).is_err());
}

fn upload(vars: &[(&str, &str)], toml: &str) -> anyhow::Result<UploadLimits> {
    let file: super::super::FileConfig = toml::from_str(toml).expect("toml");
    let env = |k: &str| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    };
    upload_limits(&env, &file)
}

#[test]
fn upload_limits_default_to_50_mib_200_000_rows_and_256_mib_inflated() {
    let limits = upload(&[], "").unwrap();
    assert_eq!(limits.max_body_bytes, 50 * 1024 * 1024);
    assert_eq!(limits.max_rows, 200_000);
    assert_eq!(limits.max_inflated_bytes, 256 * 1024 * 1024);
    assert_eq!(limits.max_parallel, 2);
    assert_eq!(limits.budgets(), crate::upload::Budgets::default());
}

#[test]
fn upload_limits_come_from_the_environment_over_the_file() {
    let toml = "upload_max_rows = 5000\nupload_max_bytes = 2097152";
    let limits = upload(&[("ANJU_UPLOAD_MAX_ROWS", "700")], toml).unwrap();
    assert_eq!(
        (limits.max_rows, limits.max_body_bytes),
        (700, 2 * 1024 * 1024)
    );
    assert_eq!(limits.budgets().max_shared_strings, 7_010);
    let vars = [
        ("ANJU_UPLOAD_MAX_INFLATED_BYTES", "1048576"),
        ("ANJU_UPLOAD_MAX_PARALLEL", "1"),
    ];
    let limits = upload(&vars, "").unwrap();
    assert_eq!(
        (limits.max_inflated_bytes, limits.max_parallel),
        (1024 * 1024, 1)
    );
}

#[test]
fn upload_limits_out_of_range_stop_the_start() {
    for (name, value) in [
        ("ANJU_UPLOAD_MAX_BYTES", "1000"),
        ("ANJU_UPLOAD_MAX_ROWS", "0"),
        ("ANJU_UPLOAD_MAX_INFLATED_BYTES", "lots"),
        ("ANJU_UPLOAD_MAX_PARALLEL", "0"),
    ] {
        let error = upload(&[(name, value)], "").unwrap_err().to_string();
        assert!(error.starts_with(name), "{error}");
    }
}
