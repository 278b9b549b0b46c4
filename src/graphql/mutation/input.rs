//! What a mutation's input must be, and how it is refused: the codes and paths of
//! `userErrors`, the checks every field gets, and the citations every fact carries.

use async_graphql::{Enum, ID, InputObject, SimpleObject};
use sea_orm::DbErr;

use crate::entity::source;
use crate::error::ApiError;
use crate::graphql::enums::{Confidence, SourceKind, db_name};
use crate::graphql::scalars::Date;

/// The longest quote a citation keeps: a paragraph, not an article.
pub(super) const MAX_QUOTE: usize = 5_000;
/// The longest title or name.
pub(super) const MAX_NAME: usize = 500;
/// The longest free text (summaries, descriptions).
pub(super) const MAX_TEXT: usize = 20_000;

/// Why a mutation's input was refused, for clients to switch on.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A value is out of range, malformed or contradicts another.
    BadUserInput,
    /// An id names nothing, or a node of another type than the field takes.
    NotFound,
    /// The node changed since the revision the input names: read it again.
    Conflict,
    /// The link or node exists already.
    AlreadyExists,
    /// A fact without a citation: every create and change needs one.
    CitationRequired,
    /// The node is still referenced: deleting it would leave rows pointing at nothing.
    InUse,
}

/// Input the mutation refused, and where in it.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The path to the offending input field, from the mutation's argument
    /// (`["input", "citations", "0", "quote"]`); empty when it concerns the input as a whole.
    pub field: Vec<String>,
    /// What is wrong and how to put it right.
    pub message: String,
    /// What kind of refusal it is.
    pub code: UserErrorCode,
}

impl UserError {
    pub(super) fn new(code: UserErrorCode, field: &[&str], message: impl Into<String>) -> Self {
        Self {
            field: std::iter::once("input")
                .chain(field.iter().copied())
                .map(str::to_owned)
                .collect(),
            message: message.into(),
            code,
        }
    }
}

/// How a mutation stops short: refused input (the payload's `userErrors`), or an error of the
/// request (`errors`, with its code). Either way nothing is written.
#[derive(Debug)]
pub(super) enum Refused {
    Input(Vec<UserError>),
    Request(ApiError),
}

impl From<ApiError> for Refused {
    fn from(err: ApiError) -> Self {
        Self::Request(err)
    }
}

impl From<DbErr> for Refused {
    fn from(err: DbErr) -> Self {
        Self::Request(err.into())
    }
}

impl From<UserError> for Refused {
    fn from(err: UserError) -> Self {
        Self::Input(vec![err])
    }
}

/// The result of a mutation's body.
pub(super) type Done<T> = Result<T, Refused>;

/// `done`, its refusals' paths moved under the input's field `field` (a nested input, as an
/// upsert's `operation`).
pub(super) fn within<T>(field: &str, done: Done<T>) -> Done<T> {
    done.map_err(|refused| match refused {
        Refused::Input(mut errors) => {
            for e in &mut errors {
                e.field.insert(1, field.to_owned());
            }
            Refused::Input(errors)
        }
        other => other,
    })
}

/// Collects refused fields, so the client hears of all of them at once.
#[derive(Default)]
pub(super) struct Checks(Vec<UserError>);

impl Checks {
    pub(super) fn refuse(
        &mut self,
        code: UserErrorCode,
        field: &[&str],
        message: impl Into<String>,
    ) {
        self.0.push(UserError::new(code, field, message));
    }

    /// A count: not negative.
    pub(super) fn count(&mut self, field: &str, value: Option<i32>) {
        if value.is_some_and(|v| v < 0) {
            self.refuse(
                UserErrorCode::BadUserInput,
                &[field],
                format!("`{field}` is a count: 0 or more, or null when not reported"),
            );
        }
    }

    /// A text of at most `max` characters; `required` ones not blank either.
    pub(super) fn text(&mut self, field: &[&str], value: Option<&str>, max: usize, required: bool) {
        let name = field.last().copied().unwrap_or("input");
        match value {
            Some(v) if v.chars().count() > max => self.refuse(
                UserErrorCode::BadUserInput,
                field,
                format!("`{name}` is too long: at most {max} characters"),
            ),
            Some(v) if required && v.trim().is_empty() => self.refuse(
                UserErrorCode::BadUserInput,
                field,
                format!("`{name}` is blank"),
            ),
            None if required => self.refuse(
                UserErrorCode::BadUserInput,
                field,
                format!("`{name}` is required"),
            ),
            _ => {}
        }
    }

    /// The citations every fact needs: at least one, each quoted, each new source checked.
    pub(super) fn citations(&mut self, citations: &[CitationInput]) {
        if citations.is_empty() {
            self.refuse(
                UserErrorCode::CitationRequired,
                &["citations"],
                "every fact rests on a source: give at least one citation with its quote",
            );
        }
        for (i, c) in citations.iter().enumerate() {
            let at = i.to_string();
            self.text(
                &["citations", &at, "quote"],
                Some(&c.quote),
                MAX_QUOTE,
                true,
            );
            self.text(
                &["citations", &at, "locator"],
                c.locator.as_deref(),
                MAX_NAME,
                false,
            );
            if let Some(source) = &c.source {
                source.check(self, &["citations", &at, "source"]);
            }
        }
    }

    /// A dataset key: neither part blank or too long.
    pub(super) fn key(&mut self, key: &Key) {
        self.text(&["dataset"], Some(&key.dataset), MAX_NAME, true);
        self.text(&["key"], Some(&key.key), MAX_NAME, true);
    }

    /// Ends the checks: `Err` with every refusal when there is one.
    pub(super) fn done(self) -> Done<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Refused::Input(self.0))
        }
    }
}

/// The identity of a node in a dataset: the `(dataset, key)` the JSON import gives every row,
/// by which an upsert finds the node again.
#[derive(InputObject, Clone, Debug)]
pub struct Key {
    /// The dataset (`acled-pakistan`, `my-team-notes`).
    pub dataset: String,
    /// The row's key in the dataset.
    pub key: String,
}

impl Key {
    /// The `dataset` and `external_id` a node created under `key` stores: trimmed, as
    /// [`super::write::Write::keyed`] looks them up; none without a key.
    pub(super) fn columns(key: Option<&Self>) -> (Option<String>, Option<String>) {
        match key {
            Some(k) => (
                Some(k.dataset.trim().to_owned()),
                Some(k.key.trim().to_owned()),
            ),
            None => (None, None),
        }
    }
}

/// A citation of the fact a mutation writes: an existing source or a new one, and the
/// source's own words.
#[derive(InputObject, Clone, Debug)]
pub struct CitationInput {
    /// An existing source's id; give this or `source`.
    pub source_id: Option<ID>,
    /// A new source, created with the fact; give this or `sourceId`.
    pub source: Option<SourceInput>,
    /// The sentence of the source the fact rests on (at most 5,000 characters).
    pub quote: String,
    /// Where in the source (page, paragraph, timestamp).
    pub locator: Option<String>,
    /// How firmly the source states it.
    #[graphql(default_with = "Confidence::Reported")]
    pub confidence: Confidence,
}

/// A source: where facts come from.
#[derive(InputObject, Clone, Debug)]
pub struct SourceInput {
    /// Title.
    pub title: String,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// Publisher.
    pub publisher: Option<String>,
    /// Where to read it.
    pub url: Option<String>,
    /// Publication date.
    pub published_on: Option<Date>,
    /// Notes on the source.
    pub description: Option<String>,
}

impl SourceInput {
    /// The source's row as the input gives it (not yet stored, under no key).
    pub(super) fn model(&self) -> source::Model {
        source::Model {
            id: 0,
            revision: 1,
            title: self.title.trim().to_owned(),
            publisher: self.publisher.clone(),
            url: self.url.clone(),
            published_on: self.published_on.map(|d| d.0),
            kind: db_name(self.kind).to_owned(),
            description: self.description.clone(),
            dataset: None,
            external_id: None,
        }
    }

    pub(super) fn check(&self, checks: &mut Checks, at: &[&str]) {
        let field = |name: &'static str| [at, &[name]].concat();
        checks.text(&field("title"), Some(&self.title), MAX_NAME, true);
        checks.text(
            &field("publisher"),
            self.publisher.as_deref(),
            MAX_NAME,
            false,
        );
        checks.text(&field("url"), self.url.as_deref(), MAX_NAME, false);
        checks.text(
            &field("description"),
            self.description.as_deref(),
            MAX_TEXT,
            false,
        );
        if self.kind == SourceKind::Synthetic {
            checks.refuse(
                UserErrorCode::BadUserInput,
                &field("kind"),
                "SYNTHETIC labels generated data; a curated fact needs a real source",
            );
        }
    }
}
