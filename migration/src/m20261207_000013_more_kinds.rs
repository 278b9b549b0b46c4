//! Kinds the world's conflict data needs: organizations that are multinational forces (NATO,
//! the African Union's and the UN's missions) or armed criminals (drug gangs, smugglers), and
//! sources that are social media posts or not named at all. Additions to the CHECKs only:
//! every stored value stays valid.

use sea_orm_migration::prelude::*;

use crate::m20261125_000001_create_domain::{ORGANIZATION_KINDS, SOURCE_KINDS};
use crate::m20261207_000012_attacks::allow;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000013_more_kinds"
    }
}

const NEW_ORGANIZATION_KINDS: &[&str] = &["INTERNATIONAL_FORCE", "CRIMINAL_GROUP"];
const NEW_SOURCE_KINDS: &[&str] = &["SOCIAL_MEDIA", "UNDISCLOSED"];

/// The allowed values of `table.column`: `before`, and `added` after them.
fn with(before: &[&'static str], added: &[&'static str]) -> Vec<&'static str> {
    before.iter().chain(added).copied().collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let organizations = with(ORGANIZATION_KINDS, NEW_ORGANIZATION_KINDS);
        allow(
            m,
            "organizations",
            "kind",
            ORGANIZATION_KINDS,
            &organizations,
        )
        .await?;
        let sources = with(SOURCE_KINDS, NEW_SOURCE_KINDS);
        allow(m, "sources", "kind", SOURCE_KINDS, &sources).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // What the narrower lists cannot hold becomes what it was before these kinds.
        let conn = m.get_connection();
        conn.execute_unprepared(
            "UPDATE organizations SET kind = 'OTHER' WHERE kind IN ('INTERNATIONAL_FORCE', 'CRIMINAL_GROUP')",
        )
        .await?;
        conn.execute_unprepared(
            "UPDATE sources SET kind = 'NEWS' WHERE kind IN ('SOCIAL_MEDIA', 'UNDISCLOSED')",
        )
        .await?;
        let organizations = with(ORGANIZATION_KINDS, NEW_ORGANIZATION_KINDS);
        allow(
            m,
            "organizations",
            "kind",
            &organizations,
            ORGANIZATION_KINDS,
        )
        .await?;
        let sources = with(SOURCE_KINDS, NEW_SOURCE_KINDS);
        allow(m, "sources", "kind", &sources, SOURCE_KINDS).await
    }
}
