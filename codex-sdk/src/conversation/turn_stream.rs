//! The events of one turn, read straight from the conversation's event stream: borrowed
//! ([`TurnEvents`], from [`Conversation::stream`]) or owned ([`OwnedTurnEvents`], from
//! [`Conversation::stream_shared`], which a binding can keep in a host object with no task or buffer of its
//! own). Both stop after the turn's terminal event, skip `SessionConfigured`, and interrupt the turn when
//! dropped before its end.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::OwnedMutexGuard;

use super::handle::{AbandonedTurn, Conversation, ConversationHandle, TurnInput};
use crate::error::Result;
use crate::events::EventStream;
use crate::protocol::{Event, EventMsg, SubmissionId};

/// A conversation several owners share: the host object of a binding, and the [`OwnedTurnEvents`] of its
/// running turn (which holds the lock for the length of the turn, so turns never interleave and there is
/// one reader).
pub type SharedConversation = Arc<tokio::sync::Mutex<Conversation>>;

/// Where a reader is in its turn.
#[derive(Debug)]
struct Progress {
    done: bool,
    sub_id: SubmissionId,
}

impl Progress {
    /// `Some(event)` to hand to the reader, `None` to skip it (`SessionConfigured` belongs to the
    /// conversation, see [`Conversation::session_configured`]). `event` is `None` at the end of the stream.
    fn filter(&mut self, event: Option<Event>) -> Option<Option<Event>> {
        if matches!(&event, Some(e) if matches!(e.msg, EventMsg::SessionConfigured(_))) {
            return None;
        }
        self.done = event.as_ref().is_none_or(|e| {
            e.msg.is_turn_terminal() || matches!(e.msg, EventMsg::ShutdownComplete)
        });
        Some(event)
    }

    async fn next(&mut self, events: &mut EventStream) -> Option<Event> {
        if self.done {
            return None;
        }
        loop {
            if let Some(event) = self.filter(events.recv().await) {
                return event;
            }
        }
    }

    fn try_next(&mut self, events: &mut EventStream) -> Option<Event> {
        while !self.done {
            let event = events.try_recv()?;
            if let Some(event) = self.filter(Some(event)) {
                return event;
            }
        }
        None
    }

    fn poll_next(&mut self, events: &mut EventStream, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        while !self.done {
            let Poll::Ready(event) = Pin::new(&mut *events).poll_next(cx) else {
                return Poll::Pending;
            };
            if let Some(event) = self.filter(event) {
                return Poll::Ready(event);
            }
        }
        Poll::Ready(None)
    }

    /// Called on drop: an unfinished turn is interrupted and remembered, so the next turn skips its rest.
    fn abandon(&self, handle: &ConversationHandle, abandoned: &mut Option<AbandonedTurn>) {
        if self.done {
            return;
        }
        let interrupt = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            let handle = handle.clone();
            runtime.spawn(async move {
                // A closed conversation has nothing left to interrupt.
                let _ = handle.interrupt().await;
            })
        });
        *abandoned = Some(AbandonedTurn {
            sub_id: self.sub_id.clone(),
            interrupt,
        });
    }
}

/// The events of one turn; ends after the turn's terminal event (or when the conversation ends).
///
/// Dropped before its end, it interrupts the turn (see [`Conversation`]).
#[derive(Debug)]
pub struct TurnEvents<'a> {
    conversation: &'a mut Conversation,
    progress: Progress,
}

impl<'a> TurnEvents<'a> {
    pub(super) fn new(conversation: &'a mut Conversation, sub_id: SubmissionId) -> Self {
        Self {
            conversation,
            progress: Progress {
                done: false,
                sub_id,
            },
        }
    }
}

impl TurnEvents<'_> {
    /// The submission that started the turn.
    #[must_use]
    pub fn submission_id(&self) -> &SubmissionId {
        &self.progress.sub_id
    }

    /// The next event of the turn.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.progress.next(&mut self.conversation.events).await
    }
}

impl Drop for TurnEvents<'_> {
    fn drop(&mut self) {
        let conversation = &mut *self.conversation;
        self.progress
            .abandon(&conversation.handle, &mut conversation.abandoned);
    }
}

impl Stream for TurnEvents<'_> {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let this = &mut *self;
        this.progress.poll_next(&mut this.conversation.events, cx)
    }
}

/// The events of one turn, owning its hold on a [`SharedConversation`]: `'static` and `Send`, so a binding
/// keeps it in a host object and reads the core's event channel directly — one buffer, one backpressure
/// point. The conversation stays locked until the stream is dropped.
///
/// Dropped before its end, it interrupts the turn; the conversation's next turn skips what is left of it.
#[derive(Debug)]
pub struct OwnedTurnEvents {
    conversation: OwnedMutexGuard<Conversation>,
    progress: Progress,
}

impl OwnedTurnEvents {
    /// The submission that started the turn.
    #[must_use]
    pub fn submission_id(&self) -> &SubmissionId {
        &self.progress.sub_id
    }

    /// Whether the turn's terminal event (or the end of the conversation) has been read.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.progress.done
    }

    /// The next event of the turn; `None` after its terminal event.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.progress.next(&mut self.conversation.events).await
    }

    /// The next event if one is already buffered, without waiting (for hosts that read in batches).
    pub fn try_next_event(&mut self) -> Option<Event> {
        self.progress.try_next(&mut self.conversation.events)
    }
}

impl Drop for OwnedTurnEvents {
    fn drop(&mut self) {
        let conversation = &mut *self.conversation;
        self.progress
            .abandon(&conversation.handle, &mut conversation.abandoned);
    }
}

impl Stream for OwnedTurnEvents {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let this = &mut *self;
        this.progress.poll_next(&mut this.conversation.events, cx)
    }
}

impl Conversation {
    /// Sends input and returns the events of the turn it runs in, ending with the turn's terminal event.
    /// The conversation's `SessionConfigured` event is not part of any turn and is skipped (it is always
    /// available from [`Conversation::session_configured`]).
    ///
    /// Dropping the returned [`TurnEvents`] before its end interrupts the turn.
    ///
    /// # Errors
    /// As [`Conversation::send`].
    pub async fn stream(&mut self, input: impl Into<TurnInput>) -> Result<TurnEvents<'_>> {
        self.settle_abandoned().await;
        let sub_id = self.send(input).await?;
        Ok(TurnEvents::new(self, sub_id))
    }

    /// Wraps the conversation for sharing (see [`SharedConversation`]).
    #[must_use]
    pub fn into_shared(self) -> SharedConversation {
        Arc::new(tokio::sync::Mutex::new(self))
    }

    /// As [`Conversation::stream`], owning its hold on the conversation: waits for the conversation's
    /// previous turn stream (if any) to be dropped, sends `input`, and returns a `'static` stream of the
    /// turn's events.
    ///
    /// # Errors
    /// As [`Conversation::send`].
    pub async fn stream_shared(
        conversation: &SharedConversation,
        input: impl Into<TurnInput>,
    ) -> Result<OwnedTurnEvents> {
        let mut guard = Arc::clone(conversation).lock_owned().await;
        guard.settle_abandoned().await;
        let sub_id = guard.send(input).await?;
        Ok(OwnedTurnEvents {
            conversation: guard,
            progress: Progress {
                done: false,
                sub_id,
            },
        })
    }
}
