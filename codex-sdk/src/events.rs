//! The event channel: a bounded queue with exactly one consumer.
//!
//! Backpressure: the conversation's task waits when the buffer is full, so a slow consumer slows the agent
//! (and, through TCP, the model stream) instead of growing memory or dropping events. When the consumer is
//! dropped, sends fail and the conversation shuts itself down.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::open_calls::{OpenCalls, Track};
use crate::protocol::{Event, EventMsg, SubmissionId};
use crate::rollout::RolloutRecorder;
use crate::telemetry::Telemetry;

/// The default number of events buffered before the conversation waits for its consumer.
pub const DEFAULT_EVENT_BUFFER: usize = 1024;

/// The sending side of a conversation's event channel. Events travel boxed: the channel allocates its
/// slots in blocks up front, and a pointer-sized slot keeps an idle conversation small.
pub(crate) type EventTx = mpsc::Sender<Box<Event>>;

/// The receiving side of a conversation's event channel.
pub(crate) type EventRx = mpsc::Receiver<Box<Event>>;

/// Sends events for one submission.
#[derive(Clone, Debug)]
pub(crate) struct EventSink {
    tx: EventTx,
    sub_id: SubmissionId,
    recorder: Option<RolloutRecorder>,
    telemetry: Telemetry,
    /// The conversation's tool calls still waiting for their End event.
    open_calls: Option<Arc<OpenCalls>>,
}

impl EventSink {
    pub(crate) fn new(tx: EventTx, sub_id: SubmissionId) -> Self {
        Self {
            tx,
            sub_id,
            recorder: None,
            telemetry: Telemetry::default(),
            open_calls: None,
        }
    }

    /// Records every event sent through this sink (what the rollout keeps of it) before delivering it.
    pub(crate) fn with_recorder(mut self, recorder: Option<RolloutRecorder>) -> Self {
        self.recorder = recorder;
        self
    }

    /// Notes the tool calls this sink opens and closes in `calls`.
    pub(crate) fn with_open_calls(mut self, calls: Arc<OpenCalls>) -> Self {
        self.open_calls = Some(calls);
        self
    }

    /// Reports telemetry events of this submission to `telemetry`.
    pub(crate) fn with_telemetry(mut self, telemetry: Telemetry) -> Self {
        self.telemetry = telemetry;
        self
    }

    /// The telemetry of this submission's conversation (off when nobody listens).
    pub(crate) fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    pub(crate) fn submission_id(&self) -> &SubmissionId {
        &self.sub_id
    }

    /// Sends one event; returns `false` when the consumer is gone.
    pub(crate) async fn send(&self, msg: EventMsg) -> bool {
        if let Some(recorder) = &self.recorder {
            recorder.record_event(&msg);
        }
        let track = self.open_calls.as_ref().and_then(|_| Track::of(&msg));
        let sent = self
            .tx
            .send(Box::new(Event {
                id: self.sub_id.clone(),
                msg,
            }))
            .await
            .is_ok();
        if sent && let (Some(calls), Some(track)) = (&self.open_calls, track) {
            calls.delivered(&self.sub_id, track);
        }
        sent
    }
}

/// The conversation's events, in order. Implements [`Stream`]; ends after
/// [`EventMsg::ShutdownComplete`] (or when the conversation's task ends).
///
/// There is exactly one `EventStream` per conversation and it cannot be cloned, so two readers can never race
/// for events.
#[derive(Debug)]
pub struct EventStream {
    rx: EventRx,
}

impl EventStream {
    pub(crate) fn new(rx: EventRx) -> Self {
        Self { rx }
    }

    /// The next event, or `None` once the conversation has ended.
    pub async fn recv(&mut self) -> Option<Event> {
        self.rx.recv().await.map(|e| *e)
    }

    /// The next event if one is buffered, without waiting.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.rx.try_recv().ok().map(|e| *e)
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx).map(|e| e.map(|e| *e))
    }
}
