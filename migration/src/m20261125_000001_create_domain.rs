//! The whole domain model of DESIGN.md: places, actors, events, figures, sources and the
//! link tables between them, with foreign keys, an index on every foreign key and on the
//! columns filters and orderings use, unique keys where the domain has them, and CHECKs
//! on counts, dates and enumerated values.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_create_domain"
    }
}

// Enumerated values are stored as text; these lists are frozen with this migration.
pub(crate) const SOURCE_KINDS: &[&str] = &["NEWS", "OFFICIAL", "REPORT", "DATASET", "SYNTHETIC"];
pub(crate) const DATE_PRECISIONS: &[&str] = &["DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "UNKNOWN"];
const OPERATION_KINDS: &[&str] = &[
    "INTELLIGENCE_BASED",
    "MILITARY_OFFENSIVE",
    "RAID",
    "CORDON_AND_SEARCH",
    "OTHER",
];
pub(crate) const ORGANIZATION_KINDS: &[&str] = &[
    "MILITANT_GROUP",
    "SECURITY_FORCE",
    "PEACE_COMMITTEE",
    "GOVERNMENT_BODY",
    "OTHER",
];
const PERSONNEL_STATUSES: &[&str] = &["ACTIVE", "KILLED", "INJURED", "UNKNOWN"];
const MILITANT_STATUSES: &[&str] = &["AT_LARGE", "KILLED", "ARRESTED", "SURRENDERED", "UNKNOWN"];
const AFFILIATION_KINDS: &[&str] = &[
    "MEMBERSHIP",
    "NATIONALITY",
    "ALLIANCE",
    "SUPPORT",
    "SANCTUARY",
    "CONNECTION",
];
const CONFIDENCES: &[&str] = &["CONFIRMED", "REPORTED", "ALLEGED", "DISPUTED"];
const COMMUNITY_ACTION_KINDS: &[&str] = &[
    "DECLARATION_OF_SUPPORT",
    "PROTECTION",
    "ARMED_RESISTANCE",
    "DEFENSE_OF_FACILITY",
    "OTHER",
];
const FIGURE_METRICS: &[&str] = &[
    "OPERATIONS",
    "DISTRICTS_WITH_OPERATIONS",
    "MILITANTS_KILLED",
    "MILITANTS_ARRESTED",
    "SECURITY_KILLED",
    "SECURITY_INJURED",
    "CIVILIANS_KILLED",
    "COMMUNITY_ACTIONS",
];
const QUALIFIERS: &[&str] = &["EXACT", "AT_LEAST", "MORE_THAN", "APPROXIMATELY"];
const PERSONNEL_ROLES: &[&str] = &["COMMANDER", "PARTICIPANT"];
const PERSONNEL_OUTCOMES: &[&str] = &["KILLED", "INJURED", "UNHARMED"];
const MILITANT_OUTCOMES: &[&str] = &["KILLED", "INJURED", "ARRESTED", "SURRENDERED", "ESCAPED"];
const ORGANIZATION_ROLES: &[&str] = &["CONDUCTED_BY", "SUPPORTED_BY", "TARGETED"];
const PARTICIPATION_ROLES: &[&str] = &["ACTOR", "SUPPORTED", "OPPONENT"];
pub(crate) const CITED_TYPES: &[&str] = &[
    "Country",
    "Province",
    "District",
    "Operation",
    "Personnel",
    "Militant",
    "Organization",
    "Affiliation",
    "CommunityAction",
    "ReportedFigure",
];

/// Tables whose rows come from datasets (the seed, imports) and carry their provenance.
const PROVENANCED: &[&str] = &[
    "sources",
    "organizations",
    "personnel",
    "militants",
    "operations",
    "affiliations",
    "community_actions",
    "reported_figures",
];

/// Tables in creation order; dropped in reverse.
const TABLES: &[&str] = &[
    "sources",
    "countries",
    "provinces",
    "districts",
    "organizations",
    "personnel",
    "militants",
    "operations",
    "affiliations",
    "community_actions",
    "reported_figures",
    "operation_personnel",
    "operation_militants",
    "operation_organizations",
    "community_action_districts",
    "community_action_actors",
    "reported_figure_districts",
    "citations",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("sources");
        t.col(string("title"))
            .col(string_null("publisher"))
            .col(string_null("url"))
            .col(date_null("published_on"))
            .col(one_of(string("kind"), SOURCE_KINDS))
            .col(text_null("description"));
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in ["kind", "published_on", "title", "publisher"] {
            index(m, "sources", &[col]).await?;
        }

        let mut t = table("countries");
        t.col(string_len_uniq("iso_code", 2))
            .col(string_uniq("name"));
        create(m, &mut t).await?;

        let mut t = table("provinces");
        t.col(integer("country_id"))
            .col(string("name"))
            .col(string_len_null("iso_code", 6).unique_key());
        fk(
            &mut t,
            "country_id",
            "countries",
            ForeignKeyAction::Restrict,
        );
        create(m, &mut t).await?;
        unique(m, "provinces", &["country_id", "name"]).await?;
        index(m, "provinces", &["name"]).await?;

        let mut t = table("districts");
        t.col(integer("province_id"))
            .col(string("name"))
            .col(text("aliases").default("[]"))
            .col(double_null("latitude").check(Expr::col("latitude").between(-90, 90)))
            .col(double_null("longitude").check(Expr::col("longitude").between(-180, 180)));
        fk(
            &mut t,
            "province_id",
            "provinces",
            ForeignKeyAction::Restrict,
        );
        create(m, &mut t).await?;
        unique(m, "districts", &["province_id", "name"]).await?;
        for col in ["name", "latitude", "longitude"] {
            index(m, "districts", &[col]).await?;
        }

        let mut t = table("organizations");
        t.col(string_uniq("name"))
            .col(text("aliases").default("[]"))
            .col(one_of(string("kind"), ORGANIZATION_KINDS))
            .col(integer_null("base_country_id"))
            .col(text_null("description"));
        fk(
            &mut t,
            "base_country_id",
            "countries",
            ForeignKeyAction::SetNull,
        );
        provenance(&mut t);
        create(m, &mut t).await?;
        index(m, "organizations", &["base_country_id"]).await?;
        index(m, "organizations", &["kind"]).await?;

        let mut t = table("personnel");
        t.col(string("name"))
            .col(string_null("rank"))
            .col(integer_null("organization_id"))
            .col(string_null("hometown"))
            .col(integer_null("hometown_district_id"))
            .col(one_of(string("status"), PERSONNEL_STATUSES));
        fk(
            &mut t,
            "organization_id",
            "organizations",
            ForeignKeyAction::SetNull,
        );
        fk(
            &mut t,
            "hometown_district_id",
            "districts",
            ForeignKeyAction::SetNull,
        );
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in [
            "organization_id",
            "hometown_district_id",
            "status",
            "name",
            "rank",
            "hometown",
        ] {
            index(m, "personnel", &[col]).await?;
        }

        let mut t = table("militants");
        t.col(string_null("name"))
            .col(text("aliases").default("[]"))
            .col(integer_null("nationality_id"))
            .col(integer_null("operating_country_id"))
            .col(integer_null("organization_id"))
            .col(one_of(string("status"), MILITANT_STATUSES))
            .col(text_null("description"));
        fk(
            &mut t,
            "nationality_id",
            "countries",
            ForeignKeyAction::SetNull,
        );
        fk(
            &mut t,
            "operating_country_id",
            "countries",
            ForeignKeyAction::SetNull,
        );
        fk(
            &mut t,
            "organization_id",
            "organizations",
            ForeignKeyAction::SetNull,
        );
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in [
            "nationality_id",
            "operating_country_id",
            "organization_id",
            "status",
            "name",
        ] {
            index(m, "militants", &[col]).await?;
        }

        let mut t = table("operations");
        t.col(string("title"))
            .col(one_of(string("kind"), OPERATION_KINDS))
            .col(date("start_date"))
            .col(date_null("end_date"))
            .col(one_of(string("date_precision"), DATE_PRECISIONS))
            .col(integer_null("district_id"))
            .col(string_null("place"));
        for count in [
            "militants_killed",
            "militants_arrested",
            "security_killed",
            "security_injured",
            "civilians_killed",
        ] {
            t.col(integer_null(count).check(Expr::col(count).gte(0)));
        }
        t.col(text_null("summary"))
            .check(Expr::col("end_date").gte(Expr::col("start_date")));
        fk(
            &mut t,
            "district_id",
            "districts",
            ForeignKeyAction::SetNull,
        );
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in [
            "district_id",
            "start_date",
            "end_date",
            "date_precision",
            "kind",
            "title",
            "place",
            "militants_killed",
            "militants_arrested",
            "security_killed",
            "security_injured",
            "civilians_killed",
        ] {
            index(m, "operations", &[col]).await?;
        }

        let mut t = table("affiliations");
        t.col(one_of(string("kind"), AFFILIATION_KINDS))
            .col(integer_null("subject_personnel_id"))
            .col(integer_null("subject_militant_id"))
            .col(integer_null("subject_organization_id"))
            .col(integer_null("target_organization_id"))
            .col(integer_null("target_country_id"))
            .col(boolean("cross_border"))
            .col(date_null("since"))
            .col(date_null("until"))
            .col(one_of(string("confidence"), CONFIDENCES))
            .check(exactly_one(&[
                "subject_personnel_id",
                "subject_militant_id",
                "subject_organization_id",
            ]))
            .check(exactly_one(&[
                "target_organization_id",
                "target_country_id",
            ]))
            .check(Expr::col("until").gte(Expr::col("since")));
        fk(
            &mut t,
            "subject_personnel_id",
            "personnel",
            ForeignKeyAction::Cascade,
        );
        fk(
            &mut t,
            "subject_militant_id",
            "militants",
            ForeignKeyAction::Cascade,
        );
        fk(
            &mut t,
            "subject_organization_id",
            "organizations",
            ForeignKeyAction::Cascade,
        );
        fk(
            &mut t,
            "target_organization_id",
            "organizations",
            ForeignKeyAction::Cascade,
        );
        fk(
            &mut t,
            "target_country_id",
            "countries",
            ForeignKeyAction::Cascade,
        );
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in [
            "subject_personnel_id",
            "subject_militant_id",
            "subject_organization_id",
            "target_organization_id",
            "target_country_id",
            "cross_border",
            "kind",
            "since",
            "until",
            "confidence",
        ] {
            index(m, "affiliations", &[col]).await?;
        }

        let mut t = table("community_actions");
        t.col(one_of(string("kind"), COMMUNITY_ACTION_KINDS))
            .col(date_null("date"))
            .col(one_of(string("date_precision"), DATE_PRECISIONS))
            .col(string_null("place"))
            .col(string_null("actors_description"))
            .col(text("description"));
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in ["date", "date_precision", "kind", "place"] {
            index(m, "community_actions", &[col]).await?;
        }

        let mut t = table("reported_figures");
        t.col(one_of(string("metric"), FIGURE_METRICS))
            .col(integer("value").check(Expr::col("value").gte(0)))
            .col(one_of(string("qualifier"), QUALIFIERS))
            .col(date_null("period_start"))
            .col(date_null("period_end"))
            .col(integer_null("scope_province_id"))
            .col(string_null("scope_description"))
            .col(integer_null("nationality_id"))
            .col(integer("source_id"))
            .col(text("quote"))
            .check(Expr::col("period_end").gte(Expr::col("period_start")));
        fk(
            &mut t,
            "scope_province_id",
            "provinces",
            ForeignKeyAction::SetNull,
        );
        fk(
            &mut t,
            "nationality_id",
            "countries",
            ForeignKeyAction::SetNull,
        );
        fk(&mut t, "source_id", "sources", ForeignKeyAction::Cascade);
        provenance(&mut t);
        create(m, &mut t).await?;
        for col in [
            "scope_province_id",
            "nationality_id",
            "source_id",
            "metric",
            "qualifier",
            "value",
            "period_start",
            "period_end",
        ] {
            index(m, "reported_figures", &[col]).await?;
        }

        link(
            m,
            "operation_personnel",
            ("operation_id", "operations"),
            ("personnel_id", "personnel"),
            |t| {
                t.col(one_of(string_null("role"), PERSONNEL_ROLES))
                    .col(one_of(string("outcome"), PERSONNEL_OUTCOMES));
            },
        )
        .await?;
        link(
            m,
            "operation_militants",
            ("operation_id", "operations"),
            ("militant_id", "militants"),
            |t| {
                t.col(one_of(string("outcome"), MILITANT_OUTCOMES));
            },
        )
        .await?;
        link(
            m,
            "operation_organizations",
            ("operation_id", "operations"),
            ("organization_id", "organizations"),
            |t| {
                t.col(one_of(string("role"), ORGANIZATION_ROLES));
            },
        )
        .await?;
        link(
            m,
            "community_action_districts",
            ("community_action_id", "community_actions"),
            ("district_id", "districts"),
            |_| {},
        )
        .await?;
        link(
            m,
            "community_action_actors",
            ("community_action_id", "community_actions"),
            ("organization_id", "organizations"),
            |t| {
                t.col(one_of(string("role"), PARTICIPATION_ROLES));
            },
        )
        .await?;
        link(
            m,
            "reported_figure_districts",
            ("reported_figure_id", "reported_figures"),
            ("district_id", "districts"),
            |_| {},
        )
        .await?;

        let mut t = table("citations");
        t.col(integer("source_id"))
            .col(one_of(string("subject_type"), CITED_TYPES))
            .col(integer("subject_id"))
            .col(text_null("quote"))
            .col(string_null("locator"))
            .col(one_of(string("confidence"), CONFIDENCES));
        fk(&mut t, "source_id", "sources", ForeignKeyAction::Cascade);
        create(m, &mut t).await?;
        unique(m, "citations", &["subject_type", "subject_id", "source_id"]).await?;
        index(m, "citations", &["source_id"]).await?;
        index(m, "citations", &["confidence"]).await?;

        for table in PROVENANCED {
            unique(m, table, &["dataset", "external_id"]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(*name).to_owned()).await?;
        }
        Ok(())
    }
}

/// A table with an integer primary key `id`.
pub(crate) fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).col(pk_auto("id")).to_owned()
}

/// Where an imported or seeded row came from: the dataset and the row's own id in it.
/// Re-importing the same row updates it instead of duplicating it.
pub(crate) fn provenance(t: &mut TableCreateStatement) {
    t.col(string_null("dataset"))
        .col(string_null("external_id"));
}

pub(crate) fn one_of(mut col: ColumnDef, values: &[&str]) -> ColumnDef {
    let name = col.get_column_name();
    col.check(Expr::col(name).is_in(values.iter().copied()));
    col
}

/// CHECK that exactly one of the columns is set.
fn exactly_one(cols: &[&'static str]) -> Expr {
    let set = cols
        .iter()
        .map(|c| Expr::case(Expr::col(*c).is_not_null(), 1).finally(0).into())
        .reduce(|a: Expr, b| a.add(b))
        .unwrap_or_else(|| Expr::val(0));
    set.eq(1)
}

pub(crate) fn fk(
    t: &mut TableCreateStatement,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) {
    t.foreign_key(
        ForeignKey::create()
            .from_col(col)
            .to(to, "id")
            .on_delete(on_delete)
            .on_update(ForeignKeyAction::Cascade),
    );
}

pub(crate) async fn create(
    m: &SchemaManager<'_>,
    t: &mut TableCreateStatement,
) -> Result<(), DbErr> {
    m.create_table(t.to_owned()).await
}

pub(crate) async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    add_index(m, table, cols, false).await
}

pub(crate) async fn unique(
    m: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    add_index(m, table, cols, true).await
}

async fn add_index(
    m: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let prefix = if unique { "uq" } else { "idx" };
    let mut i = Index::create();
    i.name(format!("{prefix}_{table}_{}", cols.join("_")))
        .table(table);
    for col in cols {
        i.col(*col);
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

/// A link table between two entities, keyed by the pair, with extra columns added by `extra`.
/// The first half of the key is covered by the primary key; the second gets an index.
pub(crate) async fn link(
    m: &SchemaManager<'_>,
    name: &'static str,
    (left, left_table): (&'static str, &'static str),
    (right, right_table): (&'static str, &'static str),
    extra: impl FnOnce(&mut TableCreateStatement),
) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table(name)
        .col(integer(left))
        .col(integer(right))
        .primary_key(Index::create().col(left).col(right));
    extra(&mut t);
    fk(&mut t, left, left_table, ForeignKeyAction::Cascade);
    fk(&mut t, right, right_table, ForeignKeyAction::Cascade);
    create(m, &mut t).await?;
    index(m, name, &[right]).await
}
