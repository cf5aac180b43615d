//! The filter bar (`/`) as a component: the text being typed (a [`TextInput`]), the query last
//! applied and why the text is not a query, when it is not (docs/filters.md). It parses as the
//! user types and answers whether the applied query changed (the router then asks the store
//! again).

use super::filter::Query;
use super::keys::Key;
use super::text_input::TextInput;
use crossterm::event::KeyCode;

/// The filter: the text being typed or applied (the store answers which rows it keeps).
#[derive(Clone, Debug, Default)]
pub struct FilterBar {
    editing: bool,
    input: TextInput,
    query: Option<Query>,
    /// Why the text is not a query (shown in the bar; the last good query stays applied).
    error: Option<String>,
}

impl FilterBar {
    /// Whether the bar has the keys.
    pub fn editing(&self) -> bool {
        self.editing
    }

    /// The text typed or applied.
    pub fn input(&self) -> &TextInput {
        &self.input
    }

    /// The applied query, if any.
    pub fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    /// Why the text is not a query, when it is not.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// `/`: start typing (the applied text stays, to refine).
    pub fn open(&mut self) {
        self.editing = true;
    }

    /// Forget the filter. Returns whether a query was applied (the list must be asked again).
    pub fn clear(&mut self) -> bool {
        let had = self.query.is_some();
        *self = FilterBar::default();
        had
    }

    /// A key while typing (the bar takes every key meanwhile). Returns whether the applied
    /// query changed: the router then asks the store for the list again.
    pub fn key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Esc => self.clear(),
            // A filter with an error is not kept: the bar keeps saying why until it is fixed.
            KeyCode::Enter if self.error.is_some() => false,
            KeyCode::Enter => {
                self.editing = false;
                self.input.text().trim().is_empty() && self.clear()
            }
            _ => self.input.key(key) && self.apply(),
        }
    }

    /// Pasted text, one line (line breaks become spaces). Returns whether the query changed.
    pub fn paste(&mut self, text: &str) -> bool {
        self.input.paste(&text.replace(['\r', '\n'], " "));
        self.apply()
    }

    /// Parse the text; returns whether the applied query changed.
    fn apply(&mut self) -> bool {
        let q = match Query::parse(self.input.text()) {
            Ok(q) => {
                self.error = None;
                q
            }
            Err(e) => {
                self.error = Some(e.to_string());
                return false;
            }
        };
        let q = if q.is_empty() { None } else { Some(q) };
        if q == self.query {
            return false;
        }
        self.query = q;
        true
    }
}
