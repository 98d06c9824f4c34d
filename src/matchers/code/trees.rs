//! Syntax trees kept between checks of the same document, so an editor session reparses only
//! what an edit touched (tree-sitter's incremental parsing) instead of the whole file.
//!
//! One-shot runs (`check`, `history`) keep none: only a caller that re-checks the same buffers
//! (the language server) opts in, through [`crate::matchers::RunContext::trees`].

use std::collections::HashMap;
use std::sync::Mutex;

use tree_sitter::{InputEdit, Point, Tree};

/// Documents remembered at most; an editor has a handful open, and the oldest is dropped.
const MAX_DOCUMENTS: usize = 64;

/// The last tree of each recently checked document, by repository-relative path.
#[derive(Default)]
pub struct Trees {
    documents: Mutex<HashMap<String, Kept>>,
}

impl std::fmt::Debug for Trees {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trees")
    }
}

struct Kept {
    language: &'static str,
    text: String,
    tree: Tree,
    /// When it was stored, in store order, for dropping the oldest.
    stamp: u64,
}

impl Trees {
    /// The previous tree of `path` in `language`, edited to line up with `text`: what
    /// tree-sitter needs to reuse the unchanged parts.
    pub fn previous(&self, path: &str, language: &'static str, text: &str) -> Option<Tree> {
        let documents = self.documents.lock().ok()?;
        let kept = documents.get(path).filter(|k| k.language == language)?;
        let mut tree = kept.tree.clone();
        tree.edit(&edit_between(&kept.text, text));
        Some(tree)
    }

    /// Remembers `tree` as the parse of `text`.
    pub fn store(&self, path: &str, language: &'static str, text: &str, tree: Tree) {
        let Ok(mut documents) = self.documents.lock() else {
            return;
        };
        let stamp = documents.values().map(|k| k.stamp + 1).max().unwrap_or(0);
        if documents.len() >= MAX_DOCUMENTS && !documents.contains_key(path) {
            let oldest = documents
                .iter()
                .min_by_key(|(_, k)| k.stamp)
                .map(|(p, _)| p.clone());
            if let Some(p) = oldest {
                documents.remove(&p);
            }
        }
        documents.insert(
            path.to_string(),
            Kept {
                language,
                text: text.to_string(),
                tree,
                stamp,
            },
        );
    }
}

/// The one edit that turns `old` into `new`: everything between their common prefix and
/// common suffix was replaced. Offsets stay on UTF-8 character boundaries.
pub fn edit_between(old: &str, new: &str) -> InputEdit {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
    InputEdit {
        start_byte: prefix,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(a, prefix),
        old_end_position: point_at(a, old_end),
        new_end_position: point_at(b, new_end),
    }
}

/// Row and byte column of `offset`.
fn point_at(text: &[u8], offset: usize) -> Point {
    let before = &text[..offset];
    let row = before.iter().filter(|&&c| c == b'\n').count();
    let column = before.iter().rev().take_while(|&&c| c != b'\n').count();
    Point { row, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_spans_what_changed_between_common_prefix_and_suffix() {
        let e = edit_between("a = 1\nb = 2\nc = 3\n", "a = 1\nb = 42\nc = 3\n");
        // "2" stays: the edit inserts "4" before it.
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (10, 10, 11));
        assert_eq!(e.start_position, Point { row: 1, column: 4 });
        assert_eq!(e.old_end_position, Point { row: 1, column: 4 });
        assert_eq!(e.new_end_position, Point { row: 1, column: 5 });
        let e = edit_between(
            "a
b = 2
",
            "a
b = 3
c
",
        );
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (6, 7, 9));
        assert_eq!(e.new_end_position, Point { row: 2, column: 1 });
    }

    #[test]
    fn repeated_text_and_multibyte_characters_keep_boundaries() {
        let e = edit_between("aaaa", "aa");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (2, 4, 2));
        let e = edit_between("x = \"é\"", "x = \"è\"");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (5, 7, 7));
        let e = edit_between("same", "same");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (4, 4, 4));
    }
}

#[cfg(test)]
mod incremental {
    use super::*;

    fn fresh(text: &str) -> Tree {
        let mut parser = tree_sitter::Parser::new();
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        parser.set_language(&language).expect("grammar");
        parser.parse(text, None).expect("tree")
    }

    /// Every edit an editor makes (typing, deleting lines, pasting, multibyte text, undoing to
    /// empty) must leave the reused tree equal to a fresh parse.
    #[test]
    fn reused_trees_equal_fresh_parses_across_edits() {
        let versions = [
            "import os\nos.system(cmd)\n",
            "import os\ncmd = 'ls ' + name\nos.system(cmd)\n",
            "import os\ncmd = 'ls ' + name\nos.system(cmd, shell=True)\n",
            "import os\ncmd = 'é ' + name\nos.system(cmd, shell=True)\n",
            "def f(user):\n    log.info(user.email)\nimport os\ncmd = 'é ' + name\n",
            "def f(user):\n    log.info(user.email\n",
            "",
            "x = 1\n",
        ];
        let trees = Trees::default();
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).expect("grammar");
        for text in versions {
            let previous = trees.previous("a.py", "Python", text);
            let tree = parser.parse(text, previous.as_ref()).expect("tree");
            assert_eq!(
                tree.root_node().to_sexp(),
                fresh(text).root_node().to_sexp(),
                "{text:?}"
            );
            trees.store("a.py", "Python", text, tree);
        }
        assert!(trees.previous("a.py", "Java", "x").is_none());
        assert!(trees.previous("b.py", "Python", "x").is_none());
    }
}
