//! SeaORM entities, one module per table. These are storage rows; the GraphQL layer converts
//! them into its own types so a column change never silently changes the public schema.

pub mod affiliation;
pub mod api_key;
pub mod attack;
pub mod attack_organization;
pub mod change;
pub mod change_node;
pub mod citation;
pub mod community_action;
pub mod community_action_actor;
pub mod community_action_district;
pub mod country;
pub mod district;
pub mod militant;
pub mod operation;
pub mod operation_militant;
pub mod operation_organization;
pub mod operation_personnel;
pub mod organization;
pub mod personnel;
pub mod province;
pub mod reported_figure;
pub mod reported_figure_district;
pub mod source;
pub mod unmapped_record;

/// A table whose rows have an integer `id` and can be paged, looked up and cited.
pub trait Table: sea_orm::FromQueryResult + Clone + Send + Sync + 'static {
    /// The SQL table name.
    const NAME: &'static str;
    /// The row's primary key.
    fn id(&self) -> i32;
}

/// A link table: its row carries the data of an edge between two entities.
pub trait LinkTable: sea_orm::FromQueryResult + Clone + Send + Sync + 'static {
    /// The SQL table name.
    const NAME: &'static str;
    /// Every column of the table, selected with a prefix when an edge is loaded.
    const COLUMNS: &'static [&'static str];
}

/// Implements [`Table`] for the `Model` of each `module => "table"` pair.
macro_rules! tables {
    ($($module:ident => $name:literal),* $(,)?) => {
        $(
            impl Table for $module::Model {
                const NAME: &'static str = $name;
                fn id(&self) -> i32 {
                    self.id
                }
            }
        )*
    };
}

tables! {
    source => "sources",
    country => "countries",
    province => "provinces",
    district => "districts",
    organization => "organizations",
    personnel => "personnel",
    militant => "militants",
    operation => "operations",
    affiliation => "affiliations",
    community_action => "community_actions",
    attack => "attacks",
    reported_figure => "reported_figures",
    citation => "citations",
    change => "changes",
    change_node => "change_nodes",
    unmapped_record => "unmapped_records",
}

/// A row that counts its changes: every node's (`Country` to `Attack`), not a
/// citation's or a link's.
pub trait Revised {
    /// The row's revision: 1 when written, one more with each change; `None` for rows
    /// without one.
    fn revision(&self) -> Option<i32>;
    /// Sets the revision, where the row has one.
    fn set_revision(&mut self, revision: i32);
}

/// Implements [`Revised`] for the `Model` of each module: with a revision, or without.
macro_rules! revised {
    (with: $($node:ident),*; without: $($other:ident),*) => {
        $(
            impl Revised for $node::Model {
                fn revision(&self) -> Option<i32> {
                    Some(self.revision)
                }
                fn set_revision(&mut self, revision: i32) {
                    self.revision = revision;
                }
            }
        )*
        $(
            impl Revised for $other::Model {
                fn revision(&self) -> Option<i32> {
                    None
                }
                fn set_revision(&mut self, _: i32) {}
            }
        )*
    };
}

revised! {
    with: source, country, province, district, organization, personnel, militant, operation,
        affiliation, community_action, reported_figure, attack;
    without: citation
}

/// Implements [`LinkTable`] for the `Model` of each `module => "table" [columns]` entry.
macro_rules! link_tables {
    ($($module:ident => $name:literal [$($column:literal),* $(,)?]),* $(,)?) => {
        $(
            impl LinkTable for $module::Model {
                const NAME: &'static str = $name;
                const COLUMNS: &'static [&'static str] = &[$($column),*];
            }
        )*
    };
}

link_tables! {
    operation_personnel => "operation_personnel" ["operation_id", "personnel_id", "role", "outcome"],
    operation_militant => "operation_militants" ["operation_id", "militant_id", "outcome"],
    operation_organization => "operation_organizations" ["operation_id", "organization_id", "role"],
    community_action_district => "community_action_districts" ["community_action_id", "district_id"],
    community_action_actor => "community_action_actors" ["community_action_id", "organization_id", "role"],
    reported_figure_district => "reported_figure_districts" ["reported_figure_id", "district_id"],
    attack_organization => "attack_organizations" ["attack_id", "organization_id", "role"],
}
