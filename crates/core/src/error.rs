//! The error every edge parser in this crate returns.

/// A value a user typed or imported that cannot be accepted.
///
/// `Display` is a Chinese sentence for the user: it names the field, says what is wrong
/// and what to enter instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Chinese name of the field, e.g. "工号".
    pub field: &'static str,
    /// The value as received, for reports that list it beside the message.
    pub value: String,
    /// The full Chinese message.
    pub message: String,
}

impl ParseError {
    pub fn new(field: &'static str, value: &str, message: impl Into<String>) -> Self {
        Self {
            field,
            value: value.to_owned(),
            message: message.into(),
        }
    }
}
