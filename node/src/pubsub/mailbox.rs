//! The messages waiting for one subscribed connection, with a bound on their size.
//!
//! Redis limits what a Pub/Sub client may leave unread (`client-output-buffer-limit pubsub
//! 32mb 8mb 60`): a client whose pending output passes 32 MB, or stays above 8 MB for 60
//! seconds, is disconnected. A mailbox counts the bytes of the messages queued for it plus
//! those taken out but not yet written to the socket (the connection releases them once
//! written); passing a limit closes the mailbox, drops what it held and tells the connection
//! to close, so a slow subscriber never makes the server's memory grow without bound.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::resp::Reply;

/// Pending bytes past which a subscriber is disconnected at once (Redis's hard limit).
pub const HARD_LIMIT: usize = 32 * 1024 * 1024;
/// Pending bytes a subscriber may stay above for [`SOFT_SECONDS`] (Redis's soft limit).
pub const SOFT_LIMIT: usize = 8 * 1024 * 1024;
/// See [`SOFT_LIMIT`].
pub const SOFT_SECONDS: u64 = 60;

/// Per-message overhead counted on top of its bytes (the frame's headers, the queue entry).
const OVERHEAD: usize = 48;

/// One message as a subscriber receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// To a channel the connection subscribed to: `message channel payload`.
    Message { channel: Bytes, payload: Bytes },
    /// To a channel matching a pattern it subscribed to: `pmessage pattern channel payload`.
    PMessage {
        pattern: Bytes,
        channel: Bytes,
        payload: Bytes,
    },
    /// To a shard channel: `smessage channel payload`.
    SMessage { channel: Bytes, payload: Bytes },
}

impl Message {
    /// The push frame (an array in RESP2) the subscriber receives.
    pub fn reply(&self) -> Reply {
        match self {
            Message::Message { channel, payload } => Reply::Push(vec![
                Reply::text("message"),
                Reply::Bulk(channel.clone()),
                Reply::Bulk(payload.clone()),
            ]),
            Message::PMessage {
                pattern,
                channel,
                payload,
            } => Reply::Push(vec![
                Reply::text("pmessage"),
                Reply::Bulk(pattern.clone()),
                Reply::Bulk(channel.clone()),
                Reply::Bulk(payload.clone()),
            ]),
            Message::SMessage { channel, payload } => Reply::Push(vec![
                Reply::text("smessage"),
                Reply::Bulk(channel.clone()),
                Reply::Bulk(payload.clone()),
            ]),
        }
    }

    /// The bytes this message counts for against the limits.
    pub fn size(&self) -> usize {
        OVERHEAD
            + match self {
                Message::Message { channel, payload } | Message::SMessage { channel, payload } => {
                    channel.len() + payload.len()
                }
                Message::PMessage {
                    pattern,
                    channel,
                    payload,
                } => pattern.len() + channel.len() + payload.len(),
            }
    }
}

#[derive(Default)]
struct Queue {
    messages: VecDeque<Message>,
    /// Bytes queued plus bytes taken but not yet released.
    pending: usize,
    /// Since when `pending` is above the soft limit.
    above_soft: Option<Instant>,
    /// Set once a limit was passed: nothing more is accepted.
    closed: bool,
}

/// The messages waiting for one connection.
pub struct Mailbox {
    queue: Mutex<Queue>,
    /// Woken when a message arrives in an empty mailbox.
    wake: Notify,
    /// Notified once when a limit is passed: the connection must close.
    overflow: Arc<Notify>,
    hard: usize,
    soft: usize,
    soft_for: Duration,
}

impl Mailbox {
    /// A mailbox with Redis's default limits, notifying `overflow` when they are passed.
    pub fn new(overflow: Arc<Notify>) -> Mailbox {
        Mailbox::with_limits(
            overflow,
            HARD_LIMIT,
            SOFT_LIMIT,
            Duration::from_secs(SOFT_SECONDS),
        )
    }

    pub fn with_limits(
        overflow: Arc<Notify>,
        hard: usize,
        soft: usize,
        soft_for: Duration,
    ) -> Mailbox {
        Mailbox {
            queue: Mutex::new(Queue::default()),
            wake: Notify::new(),
            overflow,
            hard,
            soft,
            soft_for,
        }
    }

    /// Queues a message (dropped when the mailbox is closed).
    pub fn push(&self, message: Message) {
        let size = message.size();
        let mut q = self.queue.lock();
        if q.closed {
            return;
        }
        q.pending += size;
        let now = Instant::now();
        if q.pending > self.soft && q.above_soft.is_none() {
            q.above_soft = Some(now);
        }
        let too_long = q
            .above_soft
            .is_some_and(|since| now.duration_since(since) >= self.soft_for);
        if q.pending > self.hard || too_long {
            q.closed = true;
            q.messages = VecDeque::new();
            drop(q);
            self.overflow.notify_one();
            return;
        }
        let was_empty = q.messages.is_empty();
        q.messages.push_back(message);
        drop(q);
        if was_empty {
            self.wake.notify_one();
        }
    }

    /// Waits until a message may be waiting.
    pub async fn wait(&self) {
        self.wake.notified().await
    }

    /// Takes every queued message, in order. Their bytes ([`Message::size`]) stay counted
    /// until [`Mailbox::release`].
    pub fn take(&self) -> VecDeque<Message> {
        let mut q = self.queue.lock();
        if q.messages.is_empty() {
            return VecDeque::new();
        }
        std::mem::take(&mut q.messages)
    }

    /// Stops counting `bytes` taken earlier: they were written to the socket.
    pub fn release(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let mut q = self.queue.lock();
        q.pending = q.pending.saturating_sub(bytes);
        if q.pending <= self.soft {
            q.above_soft = None;
        }
    }

    /// Whether a limit was passed.
    pub fn is_closed(&self) -> bool {
        self.queue.lock().closed
    }

    /// Bytes queued or taken and not yet released.
    pub fn pending(&self) -> usize {
        self.queue.lock().pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(payload: &'static [u8]) -> Message {
        Message::Message {
            channel: Bytes::from_static(b"ch"),
            payload: Bytes::from_static(payload),
        }
    }

    #[test]
    fn messages_come_out_in_order_and_stay_counted_until_released() {
        let mb = Mailbox::new(Arc::new(Notify::new()));
        mb.push(msg(b"1"));
        mb.push(msg(b"2"));
        let got = mb.take();
        assert_eq!(got, vec![msg(b"1"), msg(b"2")]);
        let bytes = 2 * msg(b"1").size();
        assert_eq!(mb.pending(), bytes);
        mb.release(bytes);
        assert_eq!(mb.pending(), 0);
        assert!(mb.take().is_empty());
    }

    #[test]
    fn passing_the_hard_limit_closes_and_notifies() {
        let overflow = Arc::new(Notify::new());
        let size = msg(b"0123456789").size();
        let mb = Mailbox::with_limits(
            overflow.clone(),
            size * 3,
            size * 10,
            Duration::from_secs(60),
        );
        for _ in 0..3 {
            mb.push(msg(b"0123456789"));
        }
        assert!(!mb.is_closed());
        mb.push(msg(b"0123456789"));
        assert!(mb.is_closed());
        assert!(mb.take().is_empty(), "what it held is dropped");
        mb.push(msg(b"x"));
        assert!(mb.take().is_empty(), "nothing is accepted once closed");
        // The notification was stored for the connection to see.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(1), overflow.notified())
                .await
                .expect("overflow notified")
        });
    }

    #[test]
    fn staying_above_the_soft_limit_too_long_closes() {
        let size = msg(b"x").size();
        let mb = Mailbox::with_limits(Arc::new(Notify::new()), size * 100, size, Duration::ZERO);
        mb.push(msg(b"x"));
        assert!(!mb.is_closed());
        mb.push(msg(b"x"));
        assert!(mb.is_closed());
        // Below the soft limit again, the clock restarts.
        let mb = Mailbox::with_limits(
            Arc::new(Notify::new()),
            size * 100,
            size,
            Duration::from_secs(60),
        );
        mb.push(msg(b"x"));
        mb.push(msg(b"x"));
        let bytes: usize = mb.take().iter().map(Message::size).sum();
        mb.release(bytes);
        mb.push(msg(b"x"));
        assert!(!mb.is_closed());
    }
}
