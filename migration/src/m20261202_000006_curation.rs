//! Curation: a `revision` on every node (so an editor's update of what it read cannot
//! silently overwrite another's), editor keys (only their hashes), and the change log (who
//! changed what, when, by which mutation, and each node's state before and after).

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000006_curation"
    }
}

/// The tables of ctgraph's node types, each of which gets a revision.
const NODE_TABLES: [&str; 11] = [
    "countries",
    "provinces",
    "districts",
    "operations",
    "personnel",
    "militants",
    "organizations",
    "affiliations",
    "community_actions",
    "sources",
    "reported_figures",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in NODE_TABLES {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(ColumnDef::new("revision").integer().not_null().default(1))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("api_keys")
                .col(
                    ColumnDef::new("id")
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("name").string().not_null().unique_key())
                .col(ColumnDef::new("role").string().not_null())
                .col(ColumnDef::new("key_hash").string().not_null().unique_key())
                .col(
                    ColumnDef::new("created_at")
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new("last_used_at")
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new("revoked_at")
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("changes")
                .col(
                    ColumnDef::new("id")
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("at").timestamp_with_time_zone().not_null())
                .col(ColumnDef::new("key_id").integer().null())
                .col(ColumnDef::new("actor").string().not_null())
                .col(ColumnDef::new("mutation").string().not_null())
                .col(ColumnDef::new("client_mutation_id").string().null())
                .foreign_key(
                    ForeignKey::create()
                        .from("changes", "key_id")
                        .to("api_keys", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_changes_key")
                .table("changes")
                .col("key_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("change_nodes")
                .col(
                    ColumnDef::new("id")
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("change_id").integer().not_null())
                .col(ColumnDef::new("subject_type").string().not_null())
                .col(ColumnDef::new("subject_id").integer().not_null())
                .col(ColumnDef::new("before").text().null())
                .col(ColumnDef::new("after").text().null())
                .foreign_key(
                    ForeignKey::create()
                        .from("change_nodes", "change_id")
                        .to("changes", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A node's history, newest first.
        m.create_index(
            Index::create()
                .name("idx_change_nodes_subject")
                .table("change_nodes")
                .col("subject_type")
                .col("subject_id")
                .col("change_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_change_nodes_change")
                .table("change_nodes")
                .col("change_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["change_nodes", "changes", "api_keys"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for table in NODE_TABLES {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column("revision")
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
