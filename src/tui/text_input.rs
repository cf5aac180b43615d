//! The one text input of the dashboard (secrets, the filter, the replay target, the inline
//! replay editor): cursor movement, insert, paste, delete (char, word, all). Positions are char
//! indices, so multi-byte text never splits. [`TextInput::key`] is the editing keys, the same
//! in every input: ←/→, home/end (ctrl-a/ctrl-e), backspace/delete, ctrl-w a word, ctrl-u to
//! the start; the input's owner handles enter and esc.

use super::keys::Key;
use crossterm::event::{KeyCode, KeyModifiers};

/// The text being typed and the cursor (a char index, `0..=len`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl TextInput {
    /// Input holding `text`, cursor at the end.
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in chars from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte(&self, pos: usize) -> usize {
        self.text
            .char_indices()
            .nth(pos)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Insert a character at the cursor.
    pub fn insert(&mut self, c: char) {
        let at = self.byte(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Insert pasted text at the cursor, as is (newlines included: trimming is the caller's call).
    pub fn paste(&mut self, s: &str) {
        let at = self.byte(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    /// Delete the character before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte(self.cursor);
            self.text.remove(at);
        }
    }

    /// Delete the character under the cursor.
    pub fn delete(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte(self.cursor);
            self.text.remove(at);
        }
    }

    /// Delete the word before the cursor (and the whitespace after it), like a shell's ctrl-w.
    pub fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor;
        while start > 0 && chars[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !chars[start - 1].is_whitespace() {
            start -= 1;
        }
        let (a, b) = (self.byte(start), self.byte(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = start;
    }

    /// Delete everything before the cursor (ctrl-u).
    pub fn delete_to_start(&mut self) {
        let b = self.byte(self.cursor);
        self.text.replace_range(..b, "");
        self.cursor = 0;
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    /// Apply an editing key; `false` when it is not one (enter, esc, tab, ctrl-other: the
    /// owner's). Typed characters are inserted as they are.
    pub fn key(&mut self, key: Key) -> bool {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Char('a') if ctrl => self.home(),
            KeyCode::Char('e') if ctrl => self.end(),
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char('u') if ctrl => self.delete_to_start(),
            KeyCode::Char(c) if !ctrl && !key.mods.contains(KeyModifiers::ALT) => self.insert(c),
            _ => return false,
        }
        true
    }

    /// The text split at the cursor: before it, the char under it (`None` at the end), after it.
    pub fn split(&self) -> (&str, Option<char>, &str) {
        let at = self.byte(self.cursor);
        let rest = &self.text[at..];
        match rest.chars().next() {
            Some(c) => (&self.text[..at], Some(c), &rest[c.len_utf8()..]),
            None => (&self.text, None, ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_at_the_cursor() {
        let mut t = TextInput::new("abc");
        t.left();
        t.insert('X');
        assert_eq!((t.text(), t.cursor()), ("abXc", 3));
        t.home();
        t.delete();
        t.paste("é ");
        assert_eq!((t.text(), t.cursor()), ("é bXc", 2));
        t.end();
        t.backspace();
        assert_eq!(t.text(), "é bX");
        t.right();
        assert_eq!(t.cursor(), 4);
    }

    #[test]
    fn editing_keys_and_the_split_at_the_cursor() {
        let key = |code| Key {
            code,
            mods: KeyModifiers::NONE,
        };
        let ctrl = |c| Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        };
        let mut t = TextInput::new("ab");
        assert!(t.key(key(KeyCode::Char('c'))));
        assert!(t.key(ctrl('a')));
        assert_eq!(t.split(), ("", Some('a'), "bc"));
        assert!(t.key(key(KeyCode::End)));
        assert_eq!(t.split(), ("abc", None, ""));
        assert!(t.key(ctrl('u')));
        assert_eq!(t.text(), "");
        assert!(!t.key(key(KeyCode::Enter)));
        assert!(!t.key(key(KeyCode::Esc)));
        assert!(!t.key(ctrl('s')));
    }

    #[test]
    fn delete_word_and_to_start() {
        let mut t = TextInput::new("one two  ");
        t.delete_word();
        assert_eq!((t.text(), t.cursor()), ("one ", 4));
        t.delete_word();
        assert_eq!(t.text(), "");
        t.delete_word();
        let mut t = TextInput::new("abc def");
        t.left();
        t.left();
        t.delete_to_start();
        assert_eq!((t.text(), t.cursor()), ("ef", 0));
    }
}
