//! The part of streaming a turn that both wire formats share: reading server-sent events,
//! stopping when the listener went away, turning a broken or truncated stream into a retryable
//! error that keeps what arrived, and assembling the turn. Each format only says what one
//! event means.

use std::io::BufReader;

use super::sse::{SseEvent, next_event};
use super::{LlmError, StopReason, Turn, TurnBuilder, TurnEvents, Usage};

/// The turn as it streams in.
#[derive(Default)]
pub struct TurnState {
    pub turn: TurnBuilder,
    pub usage: Usage,
    pub stop: Option<StopReason>,
}

/// What one event meant.
pub enum Step {
    Continue,
    /// The stream is complete.
    Done,
    /// The provider reported an error mid-stream.
    Fail(String),
}

/// Reads `resp` event by event through `on_event` and returns the assembled turn.
pub fn read_turn(
    resp: ureq::http::Response<ureq::Body>,
    events: &dyn TurnEvents,
    mut on_event: impl FnMut(&SseEvent, &mut TurnState) -> Result<Step, LlmError>,
) -> Result<Turn, LlmError> {
    let mut reader = BufReader::new(resp.into_body().into_reader());
    let mut state = TurnState::default();
    let retryable = |message: String, state: TurnState| LlmError::Retryable {
        message,
        partial: state.turn.finish(),
    };
    loop {
        if events.is_closed() {
            return Err(LlmError::Cancelled);
        }
        let event = match next_event(&mut reader) {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(e) => return Err(retryable(format!("the model stream broke: {e}"), state)),
        };
        match on_event(&event, &mut state)? {
            Step::Continue => {}
            Step::Done => break,
            Step::Fail(message) => return Err(retryable(message, state)),
        }
    }
    let Some(stop_reason) = state.stop else {
        return Err(retryable("the model stream ended early".into(), state));
    };
    Ok(Turn {
        content: state.turn.finish(),
        stop_reason,
        usage: state.usage,
    })
}
