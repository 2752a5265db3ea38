//! No silent keys: every key of Codex 0.169's documented config is honoured (it changes the loaded
//! `Config`), listed in the README as accepted without effect (with the reason), or warned about.
//! Also `[projects] trust_level`.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::collections::BTreeSet;
use std::path::Path;

use codex_sdk::config::{Config, INERT_CONFIG_KEYS};
use codex_sdk::protocol::{AskForApproval, SandboxPolicy};
use pretty_assertions::assert_eq;

/// Every top-level key Codex 0.169 documents (its `docs/config.md` reference and the keys its `config.toml`
/// parser reads), each with a self-contained snippet as a user would write it. `cwd` is the process's
/// working directory (where `Config::load` puts conversations).
fn codex_keys(cwd: &Path) -> Vec<(&'static str, String)> {
    let cwd = cwd.display();
    let mut keys: Vec<(&'static str, String)> = [
        // Honoured.
        ("model", "model = \"o3\""),
        ("model_provider", "model_provider = \"p\"\n[model_providers.p]\nname = \"P\"\nbase_url = \"http://127.0.0.1:9/v1\""),
        ("model_providers", "model_provider = \"p\"\n[model_providers.p]\nname = \"P\"\nbase_url = \"http://127.0.0.1:9/v1\"\n[model_providers.unused]\nname = \"U\"\nbase_url = \"http://127.0.0.1:8/v1\"\n"),
        ("model_context_window", "model_context_window = 100000"),
        ("model_auto_compact_token_limit", "model_auto_compact_token_limit = 50000"),
        ("model_max_output_tokens", "model_max_output_tokens = 4096"),
        ("model_reasoning_effort", "model_reasoning_effort = \"high\""),
        ("model_reasoning_summary", "model_reasoning_summary = \"detailed\""),
        ("model_verbosity", "model_verbosity = \"low\""),
        ("review_model", "review_model = \"o3\""),
        ("approval_policy", "approval_policy = \"never\""),
        ("sandbox_mode", "sandbox_mode = \"read-only\""),
        ("sandbox_workspace_write", "sandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nnetwork_access = true"),
        ("shell_environment_policy", "[shell_environment_policy]\ninherit = \"core\""),
        ("notify", "notify = [\"notify-send\", \"Codex\"]"),
        ("instructions", "instructions = \"Be terse.\""),
        ("model_instructions_file", "model_instructions_file = \"prompt.md\""),
        ("experimental_instructions_file", "experimental_instructions_file = \"prompt.md\""),
        ("compact_prompt", "compact_prompt = \"Summarize.\""),
        ("project_doc_max_bytes", "project_doc_max_bytes = 1024"),
        ("project_doc_fallback_filenames", "project_doc_fallback_filenames = [\"CLAUDE.md\"]"),
        ("project_root_markers", "project_root_markers = [\".hg\"]"),
        ("profile", "profile = \"fast\"\n[profiles.fast]\nmodel = \"o4-mini\""),
        ("profiles", "profile = \"fast\"\n[profiles.fast]\nmodel_reasoning_effort = \"low\""),
        ("hide_agent_reasoning", "hide_agent_reasoning = true"),
        ("show_raw_agent_reasoning", "show_raw_agent_reasoning = true"),
        ("tools", "[tools]\nweb_search = true\nview_image = false"),
        ("web_search", "web_search = \"live\""),
        ("features", "[features]\nweb_search_request = true"),
        ("otel", "[otel]\nenvironment = \"prod\""),
        ("openai_base_url", "openai_base_url = \"http://127.0.0.1:7/v1\""),
        // Accepted without effect (see INERT_CONFIG_KEYS and the README).
        ("tui", "[tui]\nnotifications = true\nanimations = false"),
        ("file_opener", "file_opener = \"vscode\""),
        ("notice", "[notice]\nhide_full_access_warning = true"),
        ("history", "[history]\npersistence = \"none\""),
        ("check_for_update_on_startup", "check_for_update_on_startup = false"),
        ("windows_wsl_setup_acknowledged", "windows_wsl_setup_acknowledged = true"),
        ("chatgpt_base_url", "chatgpt_base_url = \"https://chatgpt.com/backend-api/\""),
        ("preferred_auth_method", "preferred_auth_method = \"apikey\""),
        ("forced_login_method", "forced_login_method = \"api\""),
        ("forced_chatgpt_workspace_id", "forced_chatgpt_workspace_id = \"00000000-0000-0000-0000-000000000000\""),
        ("cli_auth_credentials_store", "cli_auth_credentials_store = \"file\""),
        ("disable_response_storage", "disable_response_storage = true"),
        ("mcp_servers", "[mcp_servers.docs]\ncommand = \"docs-server\""),
        ("analytics", "[analytics]\nenabled = false"),
        ("log_dir", "log_dir = \"/tmp/codex-logs\""),
        ("sqlite_home", "sqlite_home = \"/tmp/codex-db\""),
        ("suppress_unstable_features_warning", "suppress_unstable_features_warning = true"),
        // Not supported: warned about.
        ("tool_output_token_limit", "tool_output_token_limit = 2560"),
        ("ghost_snapshot", "[ghost_snapshot]\nignore_large_untracked_files = 0"),
        ("model_supports_reasoning_summaries", "model_supports_reasoning_summaries = true"),
        ("model_reasoning_summary_format", "model_reasoning_summary_format = \"experimental\""),
        ("oss_provider", "oss_provider = \"ollama\""),
        ("experimental_use_exec_command_tool", "experimental_use_exec_command_tool = true"),
        ("experimental_use_unified_exec_tool", "experimental_use_unified_exec_tool = true"),
        ("developer_instructions", "developer_instructions = \"Use tabs.\""),
        ("include_apps_instructions", "include_apps_instructions = false"),
        ("include_collaboration_mode_instructions", "include_collaboration_mode_instructions = false"),
        ("include_environment_context", "include_environment_context = false"),
        ("mcp_oauth_credentials_store", "mcp_oauth_credentials_store = \"file\""),
        ("mcp_oauth_callback_port", "mcp_oauth_callback_port = 4444"),
        ("background_terminal_max_timeout", "background_terminal_max_timeout = 300000"),
        ("plan_mode_reasoning_effort", "plan_mode_reasoning_effort = \"high\""),
        ("model_catalog_json", "model_catalog_json = \"models.json\""),
        ("allow_login_shell", "allow_login_shell = false"),
        ("default_permissions", "default_permissions = \"workspace\""),
        ("agents", "[agents]\nenabled = false"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect();
    keys.push((
        "projects",
        format!("[projects.\"{cwd}\"]\ntrust_level = \"untrusted\""),
    ));
    keys
}

const HONOURED: &[&str] = &[
    "model",
    "model_provider",
    "model_providers",
    "mcp_servers",
    "mcp_oauth_credentials_store",
    "mcp_oauth_callback_port",
    "experimental_use_unified_exec_tool",
    "model_context_window",
    "model_auto_compact_token_limit",
    "model_max_output_tokens",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "review_model",
    "approval_policy",
    "sandbox_mode",
    "sandbox_workspace_write",
    "shell_environment_policy",
    "notify",
    "instructions",
    "model_instructions_file",
    "experimental_instructions_file",
    "compact_prompt",
    "project_doc_max_bytes",
    "project_doc_fallback_filenames",
    "project_root_markers",
    "profile",
    "profiles",
    "hide_agent_reasoning",
    "show_raw_agent_reasoning",
    "tools",
    "web_search",
    "features",
    "otel",
    "openai_base_url",
    "projects",
];

/// The `Config` loaded from a `config.toml` holding `text`, and the warnings.
fn load_text(text: &str) -> (String, Vec<String>) {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("prompt.md"), "Custom system prompt.").unwrap();
    std::fs::write(home.path().join("config.toml"), text).unwrap();
    let loaded = Config::load(home.path(), &[]).unwrap();
    // The home differs per load: compare everything else.
    let mut config = loaded.config;
    config.codex_home = "/".into();
    (format!("{config:?}"), loaded.warnings)
}

fn merged(snippets: &[(&str, String)]) -> String {
    let mut all = toml::Table::new();
    for (_, snippet) in snippets {
        let table: toml::Table = toml::from_str(snippet).unwrap();
        for (k, v) in table {
            match (all.get_mut(&k), v) {
                (Some(toml::Value::Table(into)), toml::Value::Table(from)) => into.extend(from),
                (_, v) => {
                    all.insert(k, v);
                }
            }
        }
    }
    toml::to_string(&all).unwrap()
}

#[test]
fn every_codex_key_is_honoured_documented_as_inert_or_warned_about() {
    let cwd = std::env::current_dir().unwrap();
    let keys = codex_keys(&cwd);
    let inert: BTreeSet<&str> = INERT_CONFIG_KEYS.iter().map(|(k, _)| *k).collect();
    let honoured: BTreeSet<&str> = HONOURED.iter().copied().collect();
    let (baseline, none) = load_text("");
    assert_eq!(none, Vec::<String>::new());

    let mut expected_warnings = BTreeSet::new();
    for (key, snippet) in &keys {
        let (config, warnings) = load_text(snippet);
        let warned = warnings.iter().any(|w| w.contains(&format!("`{key}`")));
        match (honoured.contains(key), inert.contains(key)) {
            (true, false) => {
                assert!(!warned, "{key} is honoured but warned about: {warnings:?}");
                assert_ne!(
                    config, baseline,
                    "{key} is listed as honoured but changes nothing"
                );
            }
            (false, true) => {
                assert!(!warned, "{key} is inert but warned about: {warnings:?}");
                assert_eq!(
                    config, baseline,
                    "{key} is listed as inert but changes the config"
                );
            }
            (false, false) => {
                assert!(
                    warned,
                    "{key} is neither honoured nor documented, yet silent"
                );
                assert_eq!(
                    config, baseline,
                    "{key} is warned about but changes the config"
                );
                expected_warnings.insert(*key);
            }
            (true, true) => panic!("{key} is both honoured and inert"),
        }
    }

    // All at once: exactly the unsupported keys are warned about.
    let (_, warnings) = load_text(&merged(&keys));
    let warned: BTreeSet<&str> = keys
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| warnings.iter().any(|w| w.contains(&format!("`{k}`"))))
        .collect();
    assert_eq!(warned, expected_warnings, "{warnings:#?}");
    assert_eq!(warnings.len(), expected_warnings.len(), "{warnings:#?}");

    // Every inert key is in the crate README (the crate docs) with its reason.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (key, reason) in INERT_CONFIG_KEYS {
        let row = format!("| `{key}` | {reason} |");
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}

#[test]
fn unknown_feature_flags_and_nested_keys_are_warned_about() {
    let (_, warnings) = load_text(
        "[features]\nweb_search_request = true\nghost_commit = true\n[tools]\nshell = true\n",
    );
    assert_eq!(
        warnings,
        [
            "config key `features.ghost_commit` has no effect in this SDK (ignored)",
            "unknown config key `tools.shell` (ignored)",
        ]
    );
}

#[test]
fn a_project_trust_level_sets_codex_defaults_unless_the_user_chose() {
    let cwd = std::env::current_dir().unwrap();
    let parent = cwd.parent().unwrap().display().to_string();
    let home = tempfile::tempdir().unwrap();
    let write = |text: &str| std::fs::write(home.path().join("config.toml"), text).unwrap();

    write(&format!(
        "[projects.\"{parent}\"]\ntrust_level = \"untrusted\"\n"
    ));
    let c = Config::load(home.path(), &[]).unwrap().config;
    assert_eq!(
        (c.approval_policy, c.sandbox_policy),
        (AskForApproval::UnlessTrusted, SandboxPolicy::ReadOnly)
    );

    write(&format!(
        "approval_policy = \"never\"\nsandbox_mode = \"read-only\"\n[projects.\"{parent}\"]\ntrust_level = \"trusted\"\n[sandbox_workspace_write]\nnetwork_access = true\n"
    ));
    let c = Config::load(home.path(), &[]).unwrap().config;
    assert_eq!(
        (c.approval_policy, c.sandbox_policy),
        (AskForApproval::Never, SandboxPolicy::ReadOnly)
    );

    write(&format!(
        "[projects.\"{parent}\"]\ntrust_level = \"trusted\"\n[sandbox_workspace_write]\nnetwork_access = true\n"
    ));
    let c = Config::load(home.path(), &[]).unwrap().config;
    assert_eq!(c.approval_policy, AskForApproval::OnRequest);
    assert!(
        matches!(
            c.sandbox_policy,
            SandboxPolicy::WorkspaceWrite {
                network_access: true,
                ..
            }
        ),
        "{:?}",
        c.sandbox_policy
    );

    // Another folder's trust does not apply here.
    write("[projects.\"/somewhere/else\"]\ntrust_level = \"untrusted\"\n");
    let c = Config::load(home.path(), &[]).unwrap().config;
    assert_eq!(c.approval_policy, AskForApproval::default());
}
