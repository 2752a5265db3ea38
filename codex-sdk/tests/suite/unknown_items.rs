//! An item type this SDK does not know (a newer hosted tool's call) stays in the history as the server sent
//! it: the next request carries it back (without its server id), and so does a resumed conversation.

use std::time::Duration;

use codex_sdk::Codex;
use codex_sdk::model::{ModelProviderInfo, WireApi};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use serde_json::{Value, json};

fn answer_with_unknown_item(response_id: &str) -> MockResponse {
    MockResponse::sse([
        sse::created(response_id),
        json!({"type": "response.output_item.done",
               "item": {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "aGk="}}),
        sse::assistant_message("msg_1", "drew it"),
        sse::completed(response_id),
    ])
}

fn unknown_items(request: &Value) -> Vec<Value> {
    request["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "image_generation_call")
        .cloned()
        .collect()
}

#[tokio::test]
async fn unknown_item_types_are_sent_back_untouched_and_survive_resume() {
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await.unwrap();
    server.enqueue(answer_with_unknown_item("r1"));
    server.enqueue(MockResponse::sse(sse::text_response("r2", "ok")));
    server.enqueue(MockResponse::sse(sse::text_response("r3", "still ok")));
    let codex = Codex::builder()
        .provider(
            ModelProviderInfo::custom("mock", server.base_url(), WireApi::Responses)
                .with_retries(0, 0)
                .with_stream_idle_timeout(Duration::from_secs(5)),
        )
        .api_key("sk-unknown-items")
        .codex_home(home.path())
        .no_builtin_tools()
        .no_project_docs()
        .build()
        .unwrap();
    let started = codex.new_conversation().await.unwrap();
    let path = started.rollout_path.clone().unwrap();
    let mut conv = started.conversation;
    conv.run("draw a cat").await.unwrap();
    conv.run("thanks").await.unwrap();
    conv.shutdown().await.unwrap();

    let expected =
        vec![json!({"type": "image_generation_call", "status": "completed", "result": "aGk="})];
    let requests = server.requests();
    assert_eq!(unknown_items(&requests[1].json()), expected);

    let mut resumed = codex.resume_conversation(&path).await.unwrap().conversation;
    resumed.run("and again").await.unwrap();
    let requests = server.requests();
    assert_eq!(unknown_items(&requests[2].json()), expected);
}
