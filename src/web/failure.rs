//! What a call from JS throws: a JS `Error` whose message a person can read. Every core error
//! becomes one through `?`, worded by [`crate::settings::message`] (a setting named by the label
//! the page shows beside its field, not by its key).

use wasm_bindgen::prelude::*;

use crate::Error;

/// An error on its way to JS (thrown by the call, or the rejection of its promise).
#[derive(Debug)]
pub struct Failure(String);

impl Failure {
    /// A failure of the facade itself (a value JS gave or is given that does not convert).
    pub fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure(crate::settings::message(&error))
    }
}

impl From<Failure> for JsValue {
    fn from(failure: Failure) -> Self {
        JsError::new(&failure.0).into()
    }
}
