//! The validation contract, `.tasks/validation-contract.md`: assertions are list items
//! `**VAL-AREA-NNN**: text` under `##` sections, optionally followed by indented
//! `verify: <command>` lines. Ids in code blocks and HTML comments do not count.
use pulldown_cmark::{Event as Md, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::project::Project;
use crate::{Error, Result};

/// The parsed contract: assertions in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Contract {
    pub assertions: Vec<Assertion>,
}

/// One assertion of the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assertion {
    /// `VAL-AUTH-001`.
    pub id: String,
    /// The text after `**ID**:` (continuation lines joined with a space).
    pub text: String,
    /// Title of the `##` section it is under (empty before the first one).
    pub section: String,
    /// 1-based line of the list item in the file.
    pub line: usize,
    /// Commands from `verify:` lines, run by `validate run` with `sh -c`.
    pub verify: Vec<String>,
}

impl Contract {
    /// Loads the project's contract; a missing file is an empty contract.
    pub fn load(project: &Project) -> Result<Contract> {
        let path = project.contract();
        match std::fs::read_to_string(&path) {
            Ok(text) => parse(&text)
                .map_err(|e| Error { message: format!("{}:{}", path.display(), e.message), ..e }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Contract::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Assertion ids in file order.
    pub fn ids(&self) -> Vec<String> {
        self.assertions.iter().map(|a| a.id.clone()).collect()
    }

    pub fn get(&self, id: &str) -> Option<&Assertion> {
        self.assertions.iter().find(|a| a.id == id)
    }
}

/// `VAL-` + one or more upper-case/digit groups + a numeric last group.
pub fn is_assertion_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("VAL-") else { return false };
    let parts: Vec<&str> = rest.split('-').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses contract text. A duplicate id is an error naming both lines (`12: duplicate …`;
/// [`Contract::load`] prefixes the path).
pub fn parse(text: &str) -> Result<Contract> {
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);

    let mut assertions: Vec<Assertion> = Vec::new();
    let mut section = String::new();
    let mut heading: Option<String> = None;
    // The list item just opened: (start offset, end offset), waiting for its first inline.
    let mut item: Option<(usize, usize)> = None;
    let mut events = Parser::new(text).into_offset_iter().peekable();
    while let Some((event, range)) = events.next() {
        match event {
            Md::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => {
                heading = Some(String::new());
            }
            Md::End(TagEnd::Heading(HeadingLevel::H2)) => {
                section = heading.take().unwrap_or_default().trim().to_string();
            }
            Md::Text(t) | Md::Code(t) if heading.is_some() => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Md::Start(Tag::Item) => item = Some((range.start, range.end)),
            Md::Start(Tag::Paragraph) => {}
            Md::Start(Tag::Strong) => {
                let Some((start, end)) = item.take() else { continue };
                let Some((Md::Text(id), _)) = events.next() else { continue };
                if !is_assertion_id(&id) {
                    continue;
                }
                if !matches!(events.next(), Some((Md::End(TagEnd::Strong), _))) {
                    continue;
                }
                let after = match events.peek() {
                    Some((Md::Text(t), r)) if t.starts_with(':') => r.start + 1,
                    _ => continue,
                };
                let line = line_of(start);
                if let Some(first) = assertions.iter().find(|a| a.id == *id) {
                    return Err(Error::bad_input(format!(
                        "{line}: duplicate assertion id {id} (first defined on line {}; \
                         each id must be unique)",
                        first.line
                    )));
                }
                let (text, verify) = item_body(&text[after..end]);
                assertions.push(Assertion {
                    id: id.to_string(),
                    text,
                    section: section.clone(),
                    line,
                    verify,
                });
            }
            _ => item = None,
        }
    }
    Ok(Contract { assertions })
}

/// Splits the rest of an assertion item into its text and its `verify:` commands. Stops
/// at a nested list item.
fn item_body(body: &str) -> (String, Vec<String>) {
    let mut text: Vec<&str> = Vec::new();
    let mut verify = Vec::new();
    for (i, raw) in body.lines().enumerate() {
        let line = raw.trim();
        if i > 0 && is_list_marker(line) {
            break;
        }
        if let Some(cmd) = line.strip_prefix("verify:") {
            let cmd = cmd.trim().trim_matches('`').trim();
            if !cmd.is_empty() {
                verify.push(cmd.to_string());
            }
        } else if !line.is_empty() && verify.is_empty() {
            text.push(line);
        }
    }
    (text.join(" "), verify)
}

fn is_list_marker(line: &str) -> bool {
    if ["- ", "* ", "+ "].iter().any(|m| line.starts_with(m)) {
        return true;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "# Validation Contract — Auth v2\n## Authentication\n\
- **VAL-AUTH-001**: POST /api/auth/login returns a JWT on valid credentials\n\
- **VAL-AUTH-002**: POST /api/auth/login returns 401 on invalid credentials\n\
## Test Coverage\n\
- **VAL-TEST-001**: Unit tests cover all auth service functions with >90% line coverage\n";

    #[test]
    fn the_seed_contract_parses_in_file_order_with_sections_and_lines() {
        let c = parse(SEED).unwrap();
        assert_eq!(c.ids(), ["VAL-AUTH-001", "VAL-AUTH-002", "VAL-TEST-001"]);
        let a = c.get("VAL-TEST-001").unwrap();
        assert_eq!(a.section, "Test Coverage");
        assert_eq!(a.line, 6);
        assert_eq!(a.text, "Unit tests cover all auth service functions with >90% line coverage");
    }

    #[test]
    fn ids_in_code_blocks_and_html_comments_are_ignored() {
        let text = concat!(
            "## A\n<!--\n- **VAL-X-001**: hidden\n-->\n```\n- **VAL-X-002**: code\n```\n\n",
            "    - **VAL-X-003**: indented code\n\n- **VAL-X-004**: real `code` *here*\n",
            "<!-- - **VAL-X-005**: one-line comment -->\n",
        );
        let c = parse(text).unwrap();
        assert_eq!(c.ids(), ["VAL-X-004"]);
        assert_eq!(c.assertions[0].text, "real `code` *here*");
    }

    #[test]
    fn verify_lines_and_continuations_belong_to_their_assertion() {
        let text = "## A\n- **VAL-X-001**: first line\n  continues here\n  verify: cargo test a\n  \
verify: `test -f x`\n- **VAL-X-002**: second\n";
        let c = parse(text).unwrap();
        assert_eq!(c.assertions[0].text, "first line continues here");
        assert_eq!(c.assertions[0].verify, ["cargo test a", "test -f x"]);
        assert!(c.assertions[1].verify.is_empty());
    }

    #[test]
    fn a_duplicate_id_names_both_lines() {
        let err = parse("## A\n- **VAL-X-001**: a\n\n## B\n- **VAL-X-001**: b\n").unwrap_err();
        assert_eq!(
            err.message,
            "5: duplicate assertion id VAL-X-001 (first defined on line 2; each id must be unique)"
        );
    }

    #[test]
    fn bold_text_that_is_not_an_id_is_not_an_assertion() {
        let c = parse("## A\n- **Note**: x\n- **VAL-x-1**: lower\n- plain VAL-X-001\n").unwrap();
        assert!(c.assertions.is_empty());
    }
}
