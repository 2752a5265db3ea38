//! Reading a shell script with tree-sitter-bash and keeping it only when it is a plain list of commands.
//!
//! Accepted: commands made of plain words, `'single-quoted'` strings and `"double-quoted"` strings without
//! expansions (and concatenations of those), joined by `&&`, `||`, `;`, `|` or newlines. Everything else —
//! any node kind not on the whitelist below, a parse error, a missing node, or a byte of the script that no
//! accepted token covers — rejects the whole script.
//!
//! The parser's word tokens are not trusted on their own: tree-sitter-bash folds globs (`*.rs`), braces
//! (`{a,b}`) and tildes (`~`) into `word` nodes, so every unquoted word is also checked character by character
//! against a small set that no shell (bash, dash or zsh) expands.

use std::cell::RefCell;

use tree_sitter::{Node, Parser, Tree};

/// Scripts longer than this are never classified (bounded parse time).
pub(super) const MAX_SCRIPT_BYTES: usize = 16 * 1024;

thread_local! {
    /// One parser per thread: building one costs more than parsing a typical script.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// The commands (each a list of words, program first) of a plain script; `None` when the script is not
/// plain or has no command.
pub(super) fn plain_commands(script: &str) -> Option<Vec<Vec<String>>> {
    if script.len() > MAX_SCRIPT_BYTES
        || script
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return None;
    }
    let tree = parse(script)?;
    let root = tree.root_node();
    if root.kind() != "program" || root.has_error() {
        return None;
    }
    let mut walk = Walk {
        script,
        commands: Vec::new(),
        tokens: Vec::new(),
    };
    walk.statements(root)?;
    if walk.commands.is_empty() || !walk.covers_script() {
        return None;
    }
    walk.commands.sort_unstable_by_key(|(start, _)| *start);
    Some(walk.commands.into_iter().map(|(_, words)| words).collect())
}

fn parse(script: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_bash::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        let tree = parser.parse(script, None);
        parser.reset();
        tree
    })
}

/// The state of one walk over an accepted tree.
struct Walk<'s> {
    script: &'s str,
    /// Each command's words, with the byte offset where it starts (the walk visits nested lists last, so
    /// commands are sorted by offset at the end).
    commands: Vec<(usize, Vec<String>)>,
    /// Byte ranges of every accepted token (operators and whole words), to prove nothing was skipped.
    tokens: Vec<(usize, usize)>,
}

impl Walk<'_> {
    /// `program`, `list` and `pipeline` nodes: statements and the operators between them. Iterative, so a
    /// long chain of `&&` cannot exhaust the stack.
    fn statements(&mut self, root: Node<'_>) -> Option<()> {
        let mut stack = vec![root];
        let mut cursor = root.walk();
        while let Some(node) = stack.pop() {
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            for child in children {
                match child.kind() {
                    "list" | "pipeline" if child.is_named() => stack.push(child),
                    "command" if child.is_named() => self.command(child)?,
                    "&&" | "||" | ";" | "|" if !child.is_named() => self.token(child),
                    _ => return None,
                }
            }
        }
        Some(())
    }

    fn command(&mut self, node: Node<'_>) -> Option<()> {
        let mut words = Vec::new();
        let mut cursor = node.walk();
        for (i, child) in node.children(&mut cursor).enumerate() {
            let target = match child.kind() {
                "command_name" if i == 0 => {
                    let mut inner = child.walk();
                    let mut parts = child.children(&mut inner);
                    let (Some(only), None) = (parts.next(), parts.next()) else {
                        return None;
                    };
                    only
                }
                _ if i == 0 => return None,
                _ => child,
            };
            words.push(self.word(target)?);
            self.token(target);
        }
        if words.is_empty() {
            return None;
        }
        self.commands.push((node.start_byte(), words));
        Some(())
    }

    /// The literal value of an argument node.
    fn word(&self, node: Node<'_>) -> Option<String> {
        let text = self.script.get(node.byte_range())?;
        match node.kind() {
            "word" | "number" if is_plain_unquoted(text) => Some(text.to_owned()),
            "raw_string" => text
                .strip_prefix('\'')?
                .strip_suffix('\'')
                .map(str::to_owned),
            "string" => {
                let mut cursor = node.walk();
                let only_text = node
                    .children(&mut cursor)
                    .all(|c| matches!(c.kind(), "\"" | "string_content"));
                let inner = text.strip_prefix('"')?.strip_suffix('"')?;
                (only_text && !inner.contains(['$', '`', '\\', '!', '"'])).then(|| inner.to_owned())
            }
            "concatenation" => {
                let mut value = String::new();
                let mut end = node.start_byte();
                let mut cursor = node.walk();
                for part in node.children(&mut cursor) {
                    if part.start_byte() != end || part.kind() == "concatenation" {
                        return None;
                    }
                    value.push_str(&self.word(part)?);
                    end = part.end_byte();
                }
                (end == node.end_byte()).then_some(value)
            }
            _ => None,
        }
    }

    fn token(&mut self, node: Node<'_>) {
        self.tokens.push((node.start_byte(), node.end_byte()));
    }

    /// Whether the accepted tokens, separated only by blanks and newlines, make up the whole script.
    fn covers_script(&mut self) -> bool {
        self.tokens.sort_unstable();
        let mut at = 0;
        for &(start, end) in &self.tokens {
            if start < at || !self.is_blank(at, start) {
                return false;
            }
            at = end;
        }
        self.is_blank(at, self.script.len())
    }

    fn is_blank(&self, from: usize, to: usize) -> bool {
        self.script
            .get(from..to)
            .is_some_and(|gap| gap.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n')))
    }
}

/// Whether an unquoted word means itself in bash, dash and zsh: ASCII only, no glob, brace, history,
/// comment or escape character, no leading `=` (zsh expands `=cmd`), and `~` only where no shell expands it
/// (not first, not after `=` or `:`; `HEAD~1` is fine).
fn is_plain_unquoted(word: &str) -> bool {
    let bytes = word.as_bytes();
    !bytes.is_empty()
        && bytes[0] != b'='
        && bytes.iter().enumerate().all(|(i, &b)| match b {
            b'~' => i > 0 && !matches!(bytes[i - 1], b'=' | b':'),
            _ => b.is_ascii_alphanumeric() || b"-_./,:=+@%".contains(&b),
        })
}
