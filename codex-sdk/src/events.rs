//! The event channel: a bounded queue with exactly one consumer.
//!
//! Backpressure: the conversation's task waits when the buffer is full, so a slow consumer slows the agent
//! (and, through TCP, the model stream) instead of growing memory or dropping events. When the consumer is
//! dropped, sends fail and the conversation shuts itself down.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::protocol::{Event, EventMsg, SubmissionId};
use crate::rollout::RolloutRecorder;

/// The default number of events buffered before the conversation waits for its consumer.
pub const DEFAULT_EVENT_BUFFER: usize = 1024;

/// Sends events for one submission.
#[derive(Clone, Debug)]
pub(crate) struct EventSink {
    tx: mpsc::Sender<Event>,
    sub_id: SubmissionId,
    recorder: Option<RolloutRecorder>,
}

impl EventSink {
    pub(crate) fn new(tx: mpsc::Sender<Event>, sub_id: SubmissionId) -> Self {
        Self {
            tx,
            sub_id,
            recorder: None,
        }
    }

    /// Records every event sent through this sink (what the rollout keeps of it) before delivering it.
    pub(crate) fn with_recorder(mut self, recorder: Option<RolloutRecorder>) -> Self {
        self.recorder = recorder;
        self
    }

    pub(crate) fn submission_id(&self) -> &SubmissionId {
        &self.sub_id
    }

    /// Sends one event; returns `false` when the consumer is gone.
    pub(crate) async fn send(&self, msg: EventMsg) -> bool {
        if let Some(recorder) = &self.recorder {
            recorder.record_event(&msg);
        }
        self.tx
            .send(Event {
                id: self.sub_id.clone(),
                msg,
            })
            .await
            .is_ok()
    }
}

/// The conversation's events, in order. Implements [`Stream`]; ends after
/// [`EventMsg::ShutdownComplete`] (or when the conversation's task ends).
///
/// There is exactly one `EventStream` per conversation and it cannot be cloned, so two readers can never race
/// for events.
#[derive(Debug)]
pub struct EventStream {
    rx: mpsc::Receiver<Event>,
}

impl EventStream {
    pub(crate) fn new(rx: mpsc::Receiver<Event>) -> Self {
        Self { rx }
    }

    /// The next event, or `None` once the conversation has ended.
    pub async fn recv(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// The next event if one is buffered, without waiting.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx)
    }
}
