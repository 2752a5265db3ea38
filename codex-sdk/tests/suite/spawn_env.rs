//! What a command sees: the environment policy (config, builder, tools) and the temporary directories
//! workspace-write leaves writable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use codex_sdk::config::{Config, EnvironmentInherit, ShellEnvironmentPolicy};
use codex_sdk::model::ScriptedResponse;
use codex_sdk::protocol::{AskForApproval, ResponseItem, SandboxPolicy};
use codex_sdk::sandbox::EXEC_ID_VAR;
use codex_sdk::tools::handlers::{ShellTool, UnifiedExecTool};
use codex_sdk::tools::{BuiltinToolsConfig, register_builtin_tools};
use serde_json::json;

use super::support::scripted;
use super::tools_common::{harness, text, workspace_default};

fn only(vars: &[(&str, &str)]) -> ShellEnvironmentPolicy {
    let mut policy = ShellEnvironmentPolicy::inheriting(EnvironmentInherit::None);
    policy.set = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    policy
}

/// `NAME=value` lines of `env` output, without the SDK's own marker.
fn env_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| l.contains('=') && !l.starts_with(EXEC_ID_VAR))
        .collect()
}

#[test]
fn policy_is_read_from_config_toml_and_overrides() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "[shell_environment_policy]\ninherit = \"core\"\nexclude = [\"AWS_*\"]\n\
         include_only = [\"PATH\", \"HOME\"]\n[shell_environment_policy.set]\nCI = \"1\"\n",
    )
    .unwrap();
    let loaded = Config::load(home.path(), &[]).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let policy = &loaded.config.shell_environment_policy;
    assert_eq!(policy.inherit, EnvironmentInherit::Core);
    assert_eq!(policy.exclude, ["AWS_*"]);
    assert_eq!(policy.include_only, ["PATH", "HOME"]);
    assert_eq!(policy.set, BTreeMap::from([("CI".into(), "1".into())]));
    assert!(!policy.ignore_default_excludes);

    let overrides = [
        codex_sdk::config::parse_override("shell_environment_policy.inherit=none").unwrap(),
        codex_sdk::config::parse_override("shell_environment_policy.ignore_default_excludes=true")
            .unwrap(),
    ];
    let loaded = Config::load(home.path(), &overrides).unwrap();
    assert_eq!(
        loaded.config.shell_environment_policy.inherit,
        EnvironmentInherit::None
    );
    assert!(
        loaded
            .config
            .shell_environment_policy
            .ignore_default_excludes
    );

    let bad = [codex_sdk::config::parse_override("shell_environment_policy.inherit=some").unwrap()];
    match Config::load(home.path(), &bad) {
        Err(codex_sdk::Error::Config { key, .. }) => assert_eq!(key, "shell_environment_policy"),
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[tokio::test]
async fn shell_and_pty_commands_get_exactly_the_computed_environment() {
    let dir = tempfile::tempdir().unwrap();
    let policy = only(&[("ONLY_VAR", "1"), ("PATH", "/usr/bin:/bin")]);
    let h = harness(
        dir.path(),
        AskForApproval::Never,
        SandboxPolicy::DangerFullAccess,
        None,
    );
    let h = super::tools_common::Harness {
        ctx: h.ctx.with_shell_environment_policy(policy),
        events: h.events,
    };
    let out = h
        .call(&ShellTool::default(), json!({"command": ["env"]}))
        .await
        .unwrap();
    assert!(out.success, "{}", out.content);
    let mut lines = env_lines(&out.content);
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["ONLY_VAR=1", "PATH=/usr/bin:/bin"],
        "{}",
        out.content
    );

    let result = h
        .call(
            &UnifiedExecTool::default(),
            json!({"input": ["env"], "timeout_ms": 10000}),
        )
        .await;
    let answer: serde_json::Value = serde_json::from_str(&text(&result)).unwrap();
    let output = answer["output"].as_str().unwrap().replace('\r', "");
    let mut lines = env_lines(&output);
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "GIT_PAGER=cat",
            "LESSSECURE=1",
            "ONLY_VAR=1",
            "PAGER=cat",
            "PATH=/usr/bin:/bin",
            "TERM=dumb"
        ],
        "{output}"
    );
}

#[tokio::test]
async fn builder_policy_reaches_the_tools_of_a_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let (builder, model) = scripted([
        ScriptedResponse::tool_call("shell", json!({"command": ["env"]})),
        ScriptedResponse::text("done"),
    ]);
    let codex = builder
        .cwd(dir.path())
        .approval_policy(AskForApproval::Never)
        .sandbox_policy(SandboxPolicy::DangerFullAccess)
        .shell_environment_policy(only(&[("FROM_BUILDER", "yes")]))
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    register_builtin_tools(conv.tools(), &BuiltinToolsConfig::default()).unwrap();
    conv.run("env?").await.unwrap();
    let out = model.prompts()[1]
        .input
        .iter()
        .find_map(|i| match i {
            ResponseItem::FunctionCallOutput { output, .. } => Some(output.content.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(env_lines(&out), ["FROM_BUILDER=yes"], "{out}");
}

#[tokio::test]
async fn workspace_write_lets_commands_use_tmp_and_tmpdir() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        eprintln!("skipping: no Landlock on this kernel");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), AskForApproval::Never, workspace_default(), None);
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", "f=$(mktemp) && echo ok > \"$f\" && cat \"$f\" && rm \"$f\"; \
                               g=$(mktemp -p /tmp) && rm \"$g\""]}),
        )
        .await
        .unwrap();
    assert!(out.success, "{}", out.content);
    assert!(out.content.contains("ok"), "{}", out.content);
}

#[tokio::test]
async fn excluded_tmp_roots_are_not_writable_and_tmpdir_is_the_commands_own() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        eprintln!("skipping: no Landlock on this kernel");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmpdir = tempfile::tempdir().unwrap();
    let marker = tmpdir.path().join("written");
    let policy = |exclude_tmpdir_env_var, exclude_slash_tmp| SandboxPolicy::WorkspaceWrite {
        writable_roots: Vec::new(),
        network_access: false,
        exclude_tmpdir_env_var,
        exclude_slash_tmp,
    };
    // The TMPDIR that counts is the one the command sees (set by the environment policy here).
    let mut env = ShellEnvironmentPolicy::default();
    env.set
        .insert("TMPDIR".into(), tmpdir.path().display().to_string());
    let script = format!("mktemp && touch {}", marker.display());

    let h = harness(dir.path(), AskForApproval::Never, policy(false, true), None);
    let ctx = h.ctx.clone().with_shell_environment_policy(env.clone());
    let h = super::tools_common::Harness {
        ctx,
        events: h.events,
    };
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", script]}),
        )
        .await
        .unwrap();
    assert!(out.success, "{}", out.content);
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();

    let h = harness(dir.path(), AskForApproval::Never, policy(true, true), None);
    let ctx = h.ctx.clone().with_shell_environment_policy(env);
    let h = super::tools_common::Harness {
        ctx,
        events: h.events,
    };
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", script]}),
        )
        .await
        .unwrap();
    assert!(!out.success, "{}", out.content);
    assert!(!marker.exists());
    let slash_tmp =
        std::path::Path::new("/tmp").join(format!("codex-sdk-test-{}", std::process::id()));
    let out = h
        .call(
            &ShellTool::default(),
            json!({"command": ["touch", slash_tmp]}),
        )
        .await
        .unwrap();
    assert!(!out.success, "{}", out.content);
    assert!(!slash_tmp.exists());
}
