//! `CODEX_HOME/config.toml`: loading, overrides, warnings, typed errors, comment-preserving writes.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::collections::BTreeMap;

use codex_sdk::Error;
use codex_sdk::config::{
    Config, OtelConfig, OtelExporter, OtelHttpProtocol, parse_override, set_default_model,
};
use codex_sdk::model::WireApi;
use codex_sdk::protocol::{AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy};
use pretty_assertions::assert_eq;

const CONFIG: &str = r#"# my settings
model = "o3" # the usual one
model_reasoning_effort = "high"
model_provider = "local"
approval_policy = "never"
sandbox_mode = "workspace-write"
review_model = "gpt-5-codex-review"
model_auto_compact_token_limit = 150000
mystery = 1
notify = ["say", "done"]

[sandbox_workspace_write]
writable_roots = ["/data"]
network_access = true

[model_providers.local]
name = "Local"
base_url = "http://127.0.0.1:9/v1"
wire_api = "chat"
colour = "blue"

[otel]
environment = "staging"
exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318", protocol = "json" } }

[projects."/work"]
trust_level = "trusted"
"#;

#[test]
fn the_file_then_overrides_build_the_config_with_warnings_for_unknown_keys() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), CONFIG).unwrap();
    let overrides = vec![
        parse_override("model=gpt-5-codex").unwrap(),
        parse_override("otel.log_user_prompt=true").unwrap(),
    ];
    let loaded = Config::load(home.path(), &overrides).unwrap();
    let c = &loaded.config;
    assert_eq!(c.codex_home, home.path());
    assert_eq!(c.model, "gpt-5-codex");
    assert_eq!(c.model_reasoning_effort, Some(ReasoningEffort::High));
    assert_eq!(c.model_provider_id, "local");
    assert_eq!(
        (
            c.model_provider.name.as_str(),
            c.model_provider.base_url.as_str(),
            c.model_provider.wire_api
        ),
        ("Local", "http://127.0.0.1:9/v1", WireApi::Chat)
    );
    assert_eq!(c.approval_policy, AskForApproval::Never);
    assert_eq!(
        c.sandbox_policy,
        SandboxPolicy::WorkspaceWrite {
            writable_roots: vec!["/data".into()],
            network_access: true,
            exclude_tmpdir_env_var: false,
            exclude_slash_tmp: false,
        }
    );
    assert_eq!(c.review_model.as_deref(), Some("gpt-5-codex-review"));
    assert_eq!(c.model_auto_compact_token_limit, Some(150_000));
    let mut expected_otel = OtelConfig::default();
    expected_otel.environment = "staging".into();
    expected_otel.log_user_prompt = true;
    expected_otel.exporter = OtelExporter::OtlpHttp {
        endpoint: "http://127.0.0.1:4318".into(),
        headers: BTreeMap::new(),
        protocol: OtelHttpProtocol::Json,
    };
    assert_eq!(c.otel, expected_otel);
    assert_eq!(
        loaded.warnings,
        vec![
            "unknown config key `mystery` (ignored)".to_owned(),
            "unknown config key `model_providers.local.colour` (ignored)".to_owned(),
        ]
    );
}

#[test]
fn a_missing_file_gives_the_defaults() {
    let home = tempfile::tempdir().unwrap();
    let loaded = Config::load(home.path().join("nope"), &[]).unwrap();
    let defaults = Config::default();
    assert_eq!(loaded.config.model, defaults.model);
    assert_eq!(loaded.config.otel, OtelConfig::default());
    assert_eq!(loaded.config.review_model, None);
    assert!(loaded.warnings.is_empty());
}

fn load_err(text: &str) -> (String, String) {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), text).unwrap();
    match Config::load(home.path(), &[]) {
        Err(Error::Config { key, message }) => (key, message),
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn invalid_values_are_typed_errors_naming_the_key() {
    assert_eq!(
        load_err("approval_policy = \"sometimes\"").0,
        "approval_policy"
    );
    assert_eq!(
        load_err("model_reasoning_effort = 3").0,
        "model_reasoning_effort"
    );
    assert_eq!(
        load_err("otel = { exporter = \"carrier-pigeon\" }").0,
        "otel"
    );
    assert_eq!(load_err("model = [").0, "config.toml");
    assert_eq!(load_err("model_provider = \"ghost\"").0, "model_provider");
    let (key, message) =
        load_err("model = \"gpt-5-codex\"\nmodel_auto_compact_token_limit = 300000");
    assert_eq!(key, "model_auto_compact_token_limit");
    assert!(message.contains("272000"), "{message}");
    // Within an explicit window it is fine.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "model_context_window = 400000\nmodel_auto_compact_token_limit = 300000",
    )
    .unwrap();
    assert!(Config::load(home.path(), &[]).is_ok());
}

#[test]
fn set_default_model_keeps_the_rest_of_the_file_and_its_comments() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), CONFIG).unwrap();
    set_default_model(home.path(), Some("gpt-5"), Some(ReasoningEffort::Minimal)).unwrap();
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert_eq!(
        text,
        CONFIG
            .replace(
                "model = \"o3\" # the usual one",
                "model = \"gpt-5\" # the usual one"
            )
            .replace(
                "model_reasoning_effort = \"high\"",
                "model_reasoning_effort = \"minimal\""
            )
    );
    let loaded = Config::load(home.path(), &[]).unwrap();
    assert_eq!(
        (
            loaded.config.model.as_str(),
            loaded.config.model_reasoning_effort
        ),
        ("gpt-5", Some(ReasoningEffort::Minimal))
    );

    // An explicit clear removes the key.
    set_default_model(home.path(), Some("gpt-5"), None).unwrap();
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(!text.contains("model_reasoning_effort"));
    assert!(text.starts_with("# my settings\nmodel = \"gpt-5\""));
    assert!(text.contains("[projects.\"/work\"]\ntrust_level = \"trusted\""));
}

#[test]
fn set_default_model_creates_a_missing_home_and_file() {
    let home = tempfile::tempdir().unwrap();
    let codex_home = home.path().join("fresh");
    set_default_model(&codex_home, Some("o3"), Some(ReasoningEffort::Low)).unwrap();
    assert_eq!(
        std::fs::read_to_string(codex_home.join("config.toml")).unwrap(),
        "model = \"o3\"\nmodel_reasoning_effort = \"low\"\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&codex_home).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
}

#[test]
fn every_effort_and_summary_codex_writes_loads_and_unknown_ones_warn() {
    let home = tempfile::tempdir().unwrap();
    let efforts = [
        ("none", ReasoningEffort::None),
        ("minimal", ReasoningEffort::Minimal),
        ("low", ReasoningEffort::Low),
        ("medium", ReasoningEffort::Medium),
        ("high", ReasoningEffort::High),
        ("xhigh", ReasoningEffort::XHigh),
    ];
    for (text, effort) in efforts {
        let overrides = vec![parse_override(&format!("model_reasoning_effort={text}")).unwrap()];
        let loaded = Config::load(home.path(), &overrides).unwrap();
        assert_eq!(loaded.config.model_reasoning_effort, Some(effort), "{text}");
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }
    for (text, summary) in [
        ("auto", ReasoningSummary::Auto),
        ("concise", ReasoningSummary::Concise),
        ("detailed", ReasoningSummary::Detailed),
        ("none", ReasoningSummary::None),
    ] {
        let overrides = vec![parse_override(&format!("model_reasoning_summary={text}")).unwrap()];
        let loaded = Config::load(home.path(), &overrides).unwrap();
        assert_eq!(loaded.config.model_reasoning_summary, summary, "{text}");
    }
    std::fs::write(
        home.path().join("config.toml"),
        "model_reasoning_effort = \"ultra\"\nmodel_reasoning_summary = \"verbose\"\nmodel = \"o3\"\n",
    )
    .unwrap();
    let loaded = Config::load(home.path(), &[]).unwrap();
    assert_eq!(loaded.config.model, "o3");
    assert_eq!(loaded.config.model_reasoning_effort, None);
    assert_eq!(
        loaded.config.model_reasoning_summary,
        ReasoningSummary::Auto
    );
    assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].contains("`model_reasoning_effort`"),
        "{:?}",
        loaded.warnings
    );
    assert!(
        loaded.warnings[1].contains("`model_reasoning_summary`"),
        "{:?}",
        loaded.warnings
    );
}
