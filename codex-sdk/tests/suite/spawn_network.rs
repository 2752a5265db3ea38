//! The network half of the sandbox: without `network_access`, no socket family but `AF_UNIX` gets out
//! (not only TCP).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::Duration;

use codex_sdk::protocol::{AskForApproval, SandboxPolicy};
use codex_sdk::tools::handlers::ShellTool;
use serde_json::json;

use super::tools_common::{harness, workspace};

fn networked() -> SandboxPolicy {
    SandboxPolicy::WorkspaceWrite {
        writable_roots: Vec::new(),
        network_access: true,
        exclude_tmpdir_env_var: true,
        exclude_slash_tmp: true,
    }
}

fn send_udp(port: u16, payload: &str) -> String {
    format!(
        "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
         s.sendto(b'{payload}', ('127.0.0.1', {port})); print('sent')"
    )
}

fn python_available() -> bool {
    std::process::Command::new("python3")
        .arg("-c")
        .arg("pass")
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test]
async fn sandboxed_udp_is_refused_and_unix_sockets_still_work() {
    if !codex_sdk::sandbox::kernel_sandbox_available() || !python_available() {
        eprintln!("skipping: no Landlock or no python3");
        return;
    }
    let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();

    for policy in [workspace(), SandboxPolicy::ReadOnly] {
        let h = harness(dir.path(), AskForApproval::Never, policy, None);
        let blocked = h
            .call(
                &ShellTool::default(),
                json!({"command": ["python3", "-c", send_udp(port, "escaped")]}),
            )
            .await
            .unwrap();
        assert!(!blocked.success, "{}", blocked.content);
        assert!(
            blocked.content.contains("PermissionError"),
            "{}",
            blocked.content
        );
    }

    let h = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let unix = h
        .call(
            &ShellTool::default(),
            json!({"command": ["python3", "-c",
                "import socket; a, b = socket.socketpair(socket.AF_UNIX); a.send(b'hi'); print(b.recv(2).decode())"]}),
        )
        .await
        .unwrap();
    assert!(unix.success, "{}", unix.content);
    assert!(unix.content.contains("hi"), "{}", unix.content);

    // With network access the datagram arrives, and it is the first one: nothing got out before.
    let h = harness(dir.path(), AskForApproval::Never, networked(), None);
    let allowed = h
        .call(
            &ShellTool::default(),
            json!({"command": ["python3", "-c", send_udp(port, "allowed")]}),
        )
        .await
        .unwrap();
    assert!(allowed.success, "{}", allowed.content);
    let mut buf = [0u8; 64];
    let n = listener.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"allowed");
}

#[tokio::test]
async fn sandboxed_bash_dev_udp_is_refused() {
    if !codex_sdk::sandbox::kernel_sandbox_available() {
        eprintln!("skipping: no Landlock on this kernel");
        return;
    }
    let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let script = |word: &str| format!("echo {word} > /dev/udp/127.0.0.1/{port}");

    let h = harness(dir.path(), AskForApproval::Never, workspace(), None);
    let blocked = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", script("escaped")]}),
        )
        .await
        .unwrap();
    assert!(!blocked.success, "{}", blocked.content);

    let h = harness(dir.path(), AskForApproval::Never, networked(), None);
    let allowed = h
        .call(
            &ShellTool::default(),
            json!({"command": ["bash", "-c", script("allowed")]}),
        )
        .await
        .unwrap();
    assert!(allowed.success, "{}", allowed.content);
    let mut buf = [0u8; 64];
    let n = listener.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"allowed\n");
}
