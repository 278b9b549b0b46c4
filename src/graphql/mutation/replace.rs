//! An upsert's links: the links its input wants a node to have, compared with those stored,
//! and only the difference written, so the same upsert twice changes nothing.

use std::collections::BTreeSet;

use async_graphql::ID;
use sea_orm::sea_query::Value;

use super::input::{Done, UserError, UserErrorCode};
use super::link::Link;
use super::write::Write;
use crate::error::ApiError;
use crate::graphql::ids::NodeKind;

/// One link of a node, seen from the node (the link's parent): the link, the other end's id,
/// and the values of the link's data columns. Sorted, two sets of them compare equal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Linked {
    table: &'static str,
    other: i32,
    data: Vec<Option<String>>,
}

impl Linked {
    fn link(&self) -> Done<&'static Link> {
        Link::named(self.table)
            .ok_or_else(|| ApiError::Internal(format!("no link table {}", self.table)).into())
    }
}

/// The links an input wants a node to have, in the order it gives them.
#[derive(Default)]
pub(super) struct Wanted(Vec<Linked>);

impl Write {
    /// Adds to `wanted` a `link` to the node `other` names, saying `data` (in the order of
    /// the link's data columns): `NOT_FOUND` when it names none, `ALREADY_EXISTS` when the
    /// input named it already, both at `at`.
    pub(super) async fn want(
        &self,
        wanted: &mut Wanted,
        link: &'static Link,
        other: &ID,
        data: Vec<Option<String>>,
        at: &[&str],
    ) -> Done<()> {
        let other = self.existing(link.child, other, at).await?;
        if wanted
            .0
            .iter()
            .any(|l| l.table == link.table && l.other == other)
        {
            return Err(UserError::new(
                UserErrorCode::AlreadyExists,
                at,
                format!(
                    "this {} is named twice; name it once",
                    link.child.name().to_lowercase()
                ),
            )
            .into());
        }
        wanted.0.push(Linked {
            table: link.table,
            other,
            data,
        });
        Ok(())
    }

    /// Whether the `kind` node `id` has exactly the links `wanted` through `links`.
    pub(super) async fn has_links(
        &self,
        kind: NodeKind,
        id: i32,
        links: &[&'static Link],
        wanted: &Wanted,
    ) -> Done<bool> {
        let mut wanted = wanted.0.clone();
        wanted.sort();
        Ok(self.stored_links(kind, id, links).await? == wanted)
    }

    /// Gives the `kind` node `id` the links `wanted` through `links`: those it has and should
    /// not are removed, those it lacks added, and every node at the other end of either
    /// moves on a revision and is recorded. The node's own record follows its links.
    pub(super) async fn replace_links(
        &self,
        kind: NodeKind,
        id: i32,
        links: &[&'static Link],
        wanted: &Wanted,
    ) -> Done<()> {
        let stored: BTreeSet<Linked> = self
            .stored_links(kind, id, links)
            .await?
            .into_iter()
            .collect();
        let wanted: BTreeSet<Linked> = wanted.0.iter().cloned().collect();
        let (gone, new): (Vec<&Linked>, Vec<&Linked>) = (
            stored.difference(&wanted).collect(),
            wanted.difference(&stored).collect(),
        );
        let mut ends = BTreeSet::new();
        for l in gone.iter().chain(&new) {
            ends.insert((l.link()?.child, l.other));
        }
        let mut states = Vec::with_capacity(ends.len());
        for &(kind, id) in &ends {
            states.push(self.state(kind, id).await?);
        }
        for l in gone {
            self.detach(l.link()?, (id, l.other), &[]).await?;
        }
        for l in new {
            self.add_link(id, l).await?;
        }
        let after = self.state(kind, id).await?;
        self.record(kind, id, None, after).await?;
        for (&(kind, id), was) in ends.iter().zip(states) {
            self.touch(kind, id).await?;
            let after = self.state(kind, id).await?;
            self.record(kind, id, was, after).await?;
        }
        Ok(())
    }

    /// Writes the links `wanted` of the node `id`, just created (and recorded with them).
    pub(super) async fn add_links(&self, id: i32, wanted: &Wanted) -> Done<()> {
        for l in &wanted.0 {
            self.add_link(id, l).await?;
        }
        Ok(())
    }

    async fn add_link(&self, id: i32, l: &Linked) -> Done<()> {
        let link = l.link()?;
        let data = link.data.iter().zip(&l.data);
        let data = data.map(|(c, v)| (*c, Value::from(v.clone()))).collect();
        self.attach(link, (id, l.other), data, &[]).await
    }

    /// The links of the `kind` node `id` through `links`, as its recorded state holds them,
    /// sorted.
    async fn stored_links(
        &self,
        kind: NodeKind,
        id: i32,
        links: &[&'static Link],
    ) -> Done<Vec<Linked>> {
        let state = self.state(kind, id).await?.unwrap_or_default();
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let mut stored = Vec::new();
        for link in links {
            for row in state["links"][link.table].as_array().into_iter().flatten() {
                let other = row[link.child_column]
                    .as_i64()
                    .and_then(|v| i32::try_from(v).ok());
                let other = other.ok_or_else(|| {
                    ApiError::Internal(format!("a {} row without its end", link.table))
                })?;
                let data = link.data.iter().map(|c| text(&row[*c])).collect();
                stored.push(Linked {
                    table: link.table,
                    other,
                    data,
                });
            }
        }
        stored.sort();
        Ok(stored)
    }
}
