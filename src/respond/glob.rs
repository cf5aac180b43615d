//! Path globs of response rules: `*` matches within one segment (no `/`), `**` matches across
//! segments (any characters), `?` one character other than `/`; everything else is literal.

/// Whether `path` matches `glob` (dynamic programming over both; paths are short).
pub fn matches(glob: &str, path: &str) -> bool {
    let mut tokens = Vec::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                Token::Deep
            }
            '*' => Token::Star,
            '?' => Token::One,
            c => Token::Lit(c),
        });
    }
    let p: Vec<char> = path.chars().collect();
    // ok[j]: the tokens so far match the first j characters of the path.
    let mut ok = vec![false; p.len() + 1];
    ok[0] = true;
    for t in &tokens {
        let mut next = vec![false; p.len() + 1];
        for j in 0..=p.len() {
            next[j] = match t {
                Token::Deep => ok[j] || (j > 0 && next[j - 1]),
                Token::Star => ok[j] || (j > 0 && p[j - 1] != '/' && next[j - 1]),
                Token::One => j > 0 && p[j - 1] != '/' && ok[j - 1],
                Token::Lit(c) => j > 0 && p[j - 1] == *c && ok[j - 1],
            };
        }
        ok = next;
    }
    ok[p.len()]
}

enum Token {
    Deep,
    Star,
    One,
    Lit(char),
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_questions_and_literals() {
        assert!(matches("/hooks/zoom", "/hooks/zoom"));
        assert!(!matches("/hooks/zoom", "/hooks/zoom/x"));
        assert!(matches("/hooks/*", "/hooks/zoom"));
        assert!(!matches("/hooks/*", "/hooks/a/b"));
        assert!(matches("/hooks/**", "/hooks/a/b"));
        assert!(matches("/hooks/**", "/hooks/"));
        assert!(matches("**", "/anything/at/all"));
        assert!(matches("/*/stripe", "/v1/stripe"));
        assert!(!matches("/*/stripe", "/v1/v2/stripe"));
        assert!(matches("/**/stripe", "/v1/v2/stripe"));
        assert!(matches("/hook?", "/hooks"));
        assert!(!matches("/hook?", "/hook/"));
        assert!(matches("/a*b*c", "/aXbYc"));
        assert!(!matches("/a*b*c", "/aXbY"));
        assert!(matches("/ünï*", "/ünïcode"));
        assert!(matches("**/*.json", "a/b/c.json"));
        assert!(!matches("**/*.json", "a/b/c.txt"));
    }
}
