//! A one-line text input: cursor movement, insert, paste, delete (char, word, all). Positions
//! are char indices, so multi-byte text never splits.

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
