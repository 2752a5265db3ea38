//! OTLP export with real receivers on loopback: an HTTP collector decoding protobuf and JSON export
//! requests with the official OpenTelemetry definitions, and a tonic gRPC collector.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codex_sdk::config::{ConfigToml, OtelConfig, OtelExporter, OtelHttpProtocol};
use codex_sdk::telemetry::{TelemetryEvent, TelemetryValue};
use codex_sdk::testing::{MockResponse, MockServer, sse};
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use pretty_assertions::assert_eq;
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::telemetry::{Collector, KEY, builder, enqueue_tool_turn};

/// One exported log record, flattened.
#[derive(Debug, Clone, PartialEq)]
struct Record {
    resource: BTreeMap<String, String>,
    event_name: String,
    attributes: BTreeMap<String, String>,
}

fn value_text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        other => format!("{other:?}"),
    }
}

fn flatten(attrs: &[KeyValue]) -> BTreeMap<String, String> {
    attrs
        .iter()
        .map(|kv| (kv.key.clone(), value_text(kv.value.as_ref())))
        .collect()
}

fn records(requests: &[ExportLogsServiceRequest]) -> Vec<Record> {
    let mut out = Vec::new();
    for request in requests {
        for rl in &request.resource_logs {
            let resource = flatten(
                rl.resource
                    .as_ref()
                    .map(|r| r.attributes.as_slice())
                    .unwrap_or_default(),
            );
            for sl in &rl.scope_logs {
                for log in &sl.log_records {
                    out.push(Record {
                        resource: resource.clone(),
                        event_name: log.event_name.clone(),
                        attributes: flatten(&log.attributes),
                    });
                }
            }
        }
    }
    out
}

/// One request the HTTP collector received: path, headers (lower-case names), body.
type HttpRequest = (String, HashMap<String, String>, Vec<u8>);

/// What the HTTP collector received.
#[derive(Default, Clone)]
struct HttpCollector(Arc<Mutex<Vec<HttpRequest>>>);

impl HttpCollector {
    /// Listens on loopback; answers every request `200` with an empty export response.
    async fn start() -> (Self, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1/logs", listener.local_addr().unwrap());
        let collector = Self::default();
        let seen = collector.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move { seen.serve(stream).await });
            }
        });
        (collector, url)
    }

    async fn serve(&self, mut stream: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let n = stream.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let path = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or_default()
            .to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let n = stream.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = buf[head_end..head_end + len].to_vec();
        let json = headers
            .get("content-type")
            .is_some_and(|t| t.contains("json"));
        let (content_type, reply): (&str, &[u8]) = if json {
            ("application/json", b"{}")
        } else {
            ("application/x-protobuf", b"")
        };
        self.0.lock().unwrap().push((path, headers, body));
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            reply.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.write_all(reply).await;
        let _ = stream.shutdown().await;
    }

    fn requests(&self) -> Vec<HttpRequest> {
        self.0.lock().unwrap().clone()
    }
}

/// The gRPC collector.
#[derive(Default, Clone)]
struct GrpcCollector(Arc<Mutex<Vec<(tonic::metadata::MetadataMap, ExportLogsServiceRequest)>>>);

#[async_trait::async_trait]
impl LogsService for GrpcCollector {
    async fn export(
        &self,
        request: tonic::Request<ExportLogsServiceRequest>,
    ) -> Result<tonic::Response<ExportLogsServiceResponse>, tonic::Status> {
        let metadata = request.metadata().clone();
        self.0
            .lock()
            .unwrap()
            .push((metadata, request.into_inner()));
        Ok(tonic::Response::new(ExportLogsServiceResponse {
            partial_success: None,
        }))
    }
}

impl GrpcCollector {
    async fn start() -> (Self, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let collector = Self::default();
        let incoming = futures::stream::unfold(listener, |listener| async move {
            let next = listener.accept().await.map(|(stream, _)| stream);
            Some((next, listener))
        });
        let service = LogsServiceServer::new(collector.clone());
        tokio::spawn(async move {
            tonic::transport::Server::builder()
                .serve_with_incoming(service, incoming)
                .await
                .unwrap();
        });
        (collector, url)
    }
}

fn otel(exporter: OtelExporter) -> OtelConfig {
    let toml = "[otel]\nenvironment = \"staging\"\n";
    let mut config = toml::from_str::<ConfigToml>(toml).unwrap().otel.unwrap();
    config.exporter = exporter;
    config
}

fn headers() -> BTreeMap<String, String> {
    BTreeMap::from([("x-otlp-api-key".to_owned(), "tok-${HOME}".to_owned())])
}

fn expected_header() -> String {
    format!("tok-{}", std::env::var("HOME").unwrap())
}

/// Runs the tool turn with an exporter and a host sink, shuts the `Codex` down (which must flush), and
/// returns what the host saw.
async fn run_exported_turn(config: OtelConfig) -> (Vec<TelemetryEvent>, codex_sdk::Codex) {
    let server = MockServer::start().await.unwrap();
    enqueue_tool_turn(&server);
    let sink = Arc::new(Collector::default());
    let codex = builder(&server)
        .originator("codex_sdk_test")
        .configure(|c| c.otel = config)
        .telemetry(sink.clone())
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    conv.run(format!("run the tool ({KEY})")).await.unwrap();
    codex.shutdown().await.unwrap();
    (sink.events(), codex)
}

/// Every record matches the host's event (same names and attributes, in order), with the resource.
fn assert_same_as_host(records: &[Record], host: &[TelemetryEvent]) {
    assert_eq!(records.len(), host.len(), "{records:#?}");
    for (record, event) in records.iter().zip(host) {
        assert_eq!(record.event_name, event.name());
        let expected: BTreeMap<String, String> = event
            .attributes()
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    TelemetryValue::Str(s) => s,
                    TelemetryValue::Int(i) => i.to_string(),
                    other => format!("{other:?}"),
                };
                (k.to_owned(), v)
            })
            .collect();
        assert_eq!(record.attributes, expected);
        assert_eq!(record.resource["service.name"], "codex_sdk_test");
        assert_eq!(record.resource["env"], "staging");
        assert_eq!(
            record.resource["service.version"],
            env!("CARGO_PKG_VERSION")
        );
        for value in record.attributes.values() {
            assert!(!value.contains(KEY), "{record:?}");
        }
    }
    let names: std::collections::BTreeSet<&str> =
        records.iter().map(|r| r.event_name.as_str()).collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "codex.api_request",
            "codex.sse_event",
            "codex.tool_decision",
            "codex.tool_result",
            "codex.user_prompt"
        ]
    );
    let prompt = records
        .iter()
        .find(|r| r.event_name == "codex.user_prompt")
        .unwrap();
    assert_eq!(prompt.attributes["prompt"], "[REDACTED]");
}

#[tokio::test]
async fn otlp_http_protobuf_receives_every_event_and_shutdown_flushes() {
    let (collector, url) = HttpCollector::start().await;
    let (host, codex) = run_exported_turn(otel(OtelExporter::OtlpHttp {
        endpoint: url,
        headers: headers(),
        protocol: OtelHttpProtocol::Binary,
    }))
    .await;
    let requests = collector.requests();
    assert!(!requests.is_empty());
    let mut decoded = Vec::new();
    for (path, headers, body) in &requests {
        assert_eq!(path, "/v1/logs");
        assert_eq!(headers["content-type"], "application/x-protobuf");
        assert_eq!(headers["x-otlp-api-key"], expected_header());
        decoded.push(ExportLogsServiceRequest::decode(body.as_slice()).unwrap());
    }
    assert_same_as_host(&records(&decoded), &host);
    let stats = codex.telemetry_stats();
    assert_eq!(
        (stats.exported, stats.dropped, stats.failed),
        (host.len() as u64, 0, 0)
    );
}

#[tokio::test]
async fn otlp_http_json_receives_every_event() {
    let (collector, url) = HttpCollector::start().await;
    let (host, _codex) = run_exported_turn(otel(OtelExporter::OtlpHttp {
        endpoint: url,
        headers: headers(),
        protocol: OtelHttpProtocol::Json,
    }))
    .await;
    let mut decoded = Vec::new();
    for (_, headers, body) in collector.requests() {
        assert_eq!(headers["content-type"], "application/json");
        decoded.push(serde_json::from_slice::<ExportLogsServiceRequest>(&body).unwrap());
    }
    assert_same_as_host(&records(&decoded), &host);
}

#[tokio::test]
async fn otlp_grpc_receives_every_event() {
    let (collector, url) = GrpcCollector::start().await;
    let (host, _codex) = run_exported_turn(otel(OtelExporter::OtlpGrpc {
        endpoint: url,
        headers: headers(),
    }))
    .await;
    let received = collector.0.lock().unwrap().clone();
    assert!(!received.is_empty());
    for (metadata, _) in &received {
        assert_eq!(
            metadata.get("x-otlp-api-key").unwrap().to_str().unwrap(),
            expected_header()
        );
    }
    let decoded: Vec<_> = received.into_iter().map(|(_, r)| r).collect();
    assert_same_as_host(&records(&decoded), &host);
}

#[tokio::test]
async fn exporter_none_sends_nothing() {
    let (collector, _url) = HttpCollector::start().await;
    let config = toml::from_str::<ConfigToml>("[otel]\nexporter = \"none\"\n")
        .unwrap()
        .otel
        .unwrap();
    let (host, codex) = run_exported_turn(config).await;
    assert!(!host.is_empty(), "the host sink still gets events");
    assert!(collector.requests().is_empty());
    assert_eq!(codex.telemetry_stats(), Default::default());
}

#[tokio::test]
async fn an_unreachable_collector_never_holds_up_a_turn() {
    // A collector that accepts connections and never answers: every export waits for its timeout.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/logs", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let holder = Arc::clone(&held);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            holder.lock().unwrap().push(stream);
        }
    });
    let server = MockServer::start().await.unwrap();
    // More stream events than the export queue holds.
    let deltas = codex_sdk_queue_overflow();
    let mut events = vec![sse::created("r1")];
    events.extend((0..deltas).map(|_| sse::output_text_delta("x")));
    events.push(sse::assistant_message("m1", &"x".repeat(deltas)));
    events.push(sse::completed("r1"));
    server.enqueue(MockResponse::sse(events));
    let codex = builder(&server)
        .configure(|c| {
            c.otel = otel(OtelExporter::OtlpHttp {
                endpoint: url,
                headers: BTreeMap::new(),
                protocol: OtelHttpProtocol::Binary,
            });
        })
        .build()
        .unwrap();
    let mut conv = codex.start_conversation().await.unwrap();
    let result = tokio::time::timeout(Duration::from_secs(20), conv.run("stream a lot"))
        .await
        .expect("the turn finishes while the collector hangs")
        .unwrap();
    assert_eq!(result.final_message.map(|m| m.len()), Some(deltas));
    let stats = codex.telemetry_stats();
    assert_eq!(stats.exported, 0);
    assert!(stats.dropped > 0, "{stats:?}");
}

/// Enough deltas to overflow the exporter's queue (2048 records).
fn codex_sdk_queue_overflow() -> usize {
    2600
}
