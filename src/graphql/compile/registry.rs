//! What the compiler knows of ctgraph's types: for each object type it compiles, its table
//! and, field by field, the column, relation or connection that answers it. A field missing
//! here is one the compiler leaves to its resolver (and with it the whole root field).

use std::collections::HashMap;
use std::sync::LazyLock;

use async_graphql::InputType;
use async_graphql::Value as ConstValue;
use async_graphql::connection::EmptyFields;
use sea_orm::IdenStatic;

use crate::entity::{
    LinkTable, Table, affiliation, attack, attack_organization, citation, community_action,
    community_action_actor, community_action_district, country, district, militant, operation,
    operation_militant, operation_organization, operation_personnel, organization, personnel,
    province, source,
};
use crate::graphql::connection::{Connection, EdgeData, NodeObject, OrderInput};
use crate::graphql::filter::FilterInput;
use crate::graphql::ids::NodeKind;
use crate::graphql::page::{PageArgs, PageQuery, Via};
use crate::graphql::scalars::Date;
use crate::graphql::types::*;

/// How a column's value is written in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// Text, an enum's name as stored, or a date as stored (`YYYY-MM-DD`).
    Text,
    /// A number.
    Number,
    /// A boolean, which SQLite stores as 0 or 1.
    Boolean,
    /// JSON stored as text (a list of aliases).
    Json,
}

/// The arguments of one field, variables substituted; absent ones are absent.
pub(crate) type Arguments = HashMap<String, ConstValue>;

/// Builds a connection's page query from its arguments; `None` when the arguments are ones
/// the resolver would refuse (it then answers, with its own error).
type Pages = Box<dyn Fn(&Arguments) -> Option<PageQuery> + Send + Sync>;

/// A connection field.
pub(crate) struct ConnectionField {
    /// The object type of its nodes.
    pub(crate) node: &'static str,
    /// The fields its edges carry from the link table: name, column, how written.
    pub(crate) edge: &'static [(&'static str, &'static str, Scalar)],
    /// The arguments it takes.
    arguments: &'static [&'static str],
    pages: Pages,
}

impl ConnectionField {
    /// The page query of these arguments, or `None` when the compiler leaves them to the
    /// resolver.
    pub(crate) fn pages(&self, arguments: &Arguments) -> Option<PageQuery> {
        if arguments
            .keys()
            .any(|name| !self.arguments.contains(&name.as_str()))
        {
            return None;
        }
        (self.pages)(arguments)
    }
}

/// How one field of an object is answered.
pub(crate) enum Field {
    /// The row's global id.
    Id,
    /// A column of the row.
    Column(&'static str, Scalar),
    /// The row of `object` whose id the row's `column` holds; null when it holds none.
    BelongsTo {
        column: &'static str,
        object: &'static str,
    },
    /// A page of related rows.
    Connection(ConnectionField),
}

/// An object type the compiler answers.
pub(crate) struct Object {
    /// Its table.
    pub(crate) table: &'static str,
    /// What its global ids name; `None` for a type without ids.
    pub(crate) kind: Option<NodeKind>,
    fields: HashMap<&'static str, Field>,
}

impl Object {
    /// How `name` is answered; `None` when the compiler leaves it to the resolver.
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }
}

/// Every type the compiler answers, and the root connections.
pub(crate) struct Registry {
    objects: HashMap<&'static str, Object>,
    roots: HashMap<&'static str, ConnectionField>,
}

impl Registry {
    /// The object type `name`.
    pub(crate) fn object(&self, name: &str) -> Option<&Object> {
        self.objects.get(name)
    }

    /// The root connection field `name` of `Query`.
    pub(crate) fn root(&self, name: &str) -> Option<&ConnectionField> {
        self.roots.get(name)
    }
}

/// The registry, built once.
pub(crate) static REGISTRY: LazyLock<Registry> = LazyLock::new(build);

const PLAIN: &[&str] = &["filter", "orderBy", "first", "after", "last", "before"];
const LINKED: &[&str] = &[
    "filter", "link", "orderBy", "first", "after", "last", "before",
];
const IN_FORCE: &[&str] = &[
    "filter", "asOf", "orderBy", "first", "after", "last", "before",
];

/// The argument `name` as `T`, or `None` when it does not parse as the resolver's would.
fn argument<T: InputType>(arguments: &Arguments, name: &str) -> Option<T> {
    T::parse(arguments.get(name).cloned()).ok()
}

fn page_args(arguments: &Arguments) -> Option<PageArgs> {
    Some(PageArgs {
        first: argument(arguments, "first")?,
        after: argument(arguments, "after")?,
        last: argument(arguments, "last")?,
        before: argument(arguments, "before")?,
    })
}

/// A connection to `N`s with filter `F` and order `O`.
fn plain<N, F, O>(via: Option<Via>) -> ConnectionField
where
    N: NodeObject,
    F: FilterInput + InputType,
    O: OrderInput + InputType,
{
    ConnectionField {
        node: leak_name::<N>(),
        edge: &[],
        arguments: PLAIN,
        pages: Box::new(move |a| {
            let filter: Option<F> = argument(a, "filter")?;
            let order: Option<O> = argument(a, "orderBy")?;
            Connection::<N, EmptyFields>::query(via, filter, None, order, page_args(a)?).ok()
        }),
    }
}

/// A connection to `N`s through a link table whose rows become `E`s, filtered by `L`.
fn linked<N, E, F, L, O>(
    via: Via,
    edge: &'static [(&'static str, &'static str, Scalar)],
) -> ConnectionField
where
    N: NodeObject,
    E: EdgeData,
    F: FilterInput + InputType,
    L: FilterInput + InputType,
    O: OrderInput + InputType,
{
    ConnectionField {
        node: leak_name::<N>(),
        edge,
        arguments: LINKED,
        pages: Box::new(move |a| {
            let filter: Option<F> = argument(a, "filter")?;
            let link: Option<L> = argument(a, "link")?;
            let order: Option<O> = argument(a, "orderBy")?;
            let link = link.as_ref().map(|l| l as &dyn FilterInput);
            Connection::<N, E>::query(Some(via), filter, link, order, page_args(a)?).ok()
        }),
    }
}

/// A connection to affiliations, with `asOf` as the resolvers take it.
fn affiliations(via: Option<Via>) -> ConnectionField {
    ConnectionField {
        node: "Affiliation",
        edge: &[],
        arguments: IN_FORCE,
        pages: Box::new(move |a| {
            let filter: Option<AffiliationFilter> = argument(a, "filter")?;
            let as_of: Option<Date> = argument(a, "asOf")?;
            let order: Option<AffiliationOrder> = argument(a, "orderBy")?;
            let filter = AffiliationFilter::in_force(filter, as_of);
            Connection::<Affiliation, EmptyFields>::query(via, filter, None, order, page_args(a)?)
                .ok()
        }),
    }
}

/// The GraphQL name of `N`, for the registry's keys.
fn leak_name<N: NodeObject>() -> &'static str {
    match N::type_name() {
        std::borrow::Cow::Borrowed(name) => name,
        std::borrow::Cow::Owned(name) => Box::leak(name.into_boxed_str()),
    }
}

fn column(c: impl IdenStatic) -> &'static str {
    c.as_str()
}

/// The child's `c` holds the parent's id.
fn by(c: impl IdenStatic) -> Option<Via> {
    Some(Via::Column(c.as_str()))
}

/// Through link table `L`, from `parent` to `child`.
fn through<L: LinkTable>(parent: impl IdenStatic, child: impl IdenStatic) -> Via {
    Via::Link {
        table: L::NAME,
        parent: parent.as_str(),
        child: child.as_str(),
    }
}

struct ObjectBuilder {
    object: Object,
}

impl ObjectBuilder {
    /// A node type: its rows have global ids, and citations.
    fn new<M: Table>(kind: NodeKind) -> Self {
        let mut fields = HashMap::new();
        fields.insert("id", Field::Id);
        let citations = Via::Tagged {
            column: column(citation::Column::SubjectId),
            tag_column: column(citation::Column::SubjectType),
            tag: kind.name(),
        };
        fields.insert(
            "citations",
            Field::Connection(plain::<Citation, CitationFilter, CitationOrder>(Some(
                citations,
            ))),
        );
        Self {
            object: Object {
                table: M::NAME,
                kind: Some(kind),
                fields,
            },
        }
    }

    /// A type without ids.
    fn plain<M: Table>() -> Self {
        Self {
            object: Object {
                table: M::NAME,
                kind: None,
                fields: HashMap::new(),
            },
        }
    }

    fn column(mut self, name: &'static str, c: impl IdenStatic, scalar: Scalar) -> Self {
        self.object
            .fields
            .insert(name, Field::Column(column(c), scalar));
        self
    }

    fn belongs_to(mut self, name: &'static str, c: impl IdenStatic, object: &'static str) -> Self {
        let column = column(c);
        self.object
            .fields
            .insert(name, Field::BelongsTo { column, object });
        self
    }

    fn connection(mut self, name: &'static str, field: ConnectionField) -> Self {
        self.object.fields.insert(name, Field::Connection(field));
        self
    }
}

const DEPLOYMENT: &[(&str, &str, Scalar)] = &[
    ("role", "role", Scalar::Text),
    ("outcome", "outcome", Scalar::Text),
];
const ENCOUNTER: &[(&str, &str, Scalar)] = &[("outcome", "outcome", Scalar::Text)];
/// The edge data of an organization's link to an operation, community action or attack.
const ROLE: &[(&str, &str, Scalar)] = &[("role", "role", Scalar::Text)];

fn build() -> Registry {
    use Scalar::{Boolean, Json, Number, Text};
    let objects = [
        (
            "Country",
            ObjectBuilder::new::<country::Model>(NodeKind::Country)
                .column("revision", country::Column::Revision, Number)
                .column("isoCode", country::Column::IsoCode, Text)
                .column("name", country::Column::Name, Text)
                .connection(
                    "provinces",
                    plain::<Province, ProvinceFilter, ProvinceOrder>(by(province::Column::CountryId)),
                )
                .connection(
                    "organizations",
                    plain::<Organization, OrganizationFilter, OrganizationOrder>(by(
                        organization::Column::BaseCountryId,
                    )),
                )
                .connection(
                    "militants",
                    plain::<Militant, MilitantFilter, MilitantOrder>(by(
                        militant::Column::NationalityId,
                    )),
                )
                .connection(
                    "activeMilitants",
                    plain::<Militant, MilitantFilter, MilitantOrder>(by(
                        militant::Column::OperatingCountryId,
                    )),
                )
                .connection(
                    "affiliations",
                    affiliations(by(affiliation::Column::TargetCountryId)),
                ),
        ),
        (
            "Province",
            ObjectBuilder::new::<province::Model>(NodeKind::Province)
                .column("revision", province::Column::Revision, Number)
                .column("name", province::Column::Name, Text)
                .column("isoCode", province::Column::IsoCode, Text)
                .belongs_to("country", province::Column::CountryId, "Country")
                .connection(
                    "districts",
                    plain::<District, DistrictFilter, DistrictOrder>(by(district::Column::ProvinceId)),
                ),
        ),
        (
            "District",
            ObjectBuilder::new::<district::Model>(NodeKind::District)
                .column("revision", district::Column::Revision, Number)
                .column("name", district::Column::Name, Text)
                .column("aliases", district::Column::Aliases, Json)
                .column("latitude", district::Column::Latitude, Number)
                .column("longitude", district::Column::Longitude, Number)
                .belongs_to("province", district::Column::ProvinceId, "Province")
                .connection(
                    "operations",
                    plain::<Operation, OperationFilter, OperationOrder>(by(
                        operation::Column::DistrictId,
                    )),
                )
                .connection(
                    "attacks",
                    plain::<Attack, AttackFilter, AttackOrder>(by(attack::Column::DistrictId)),
                )
                .connection(
                    "personnel",
                    plain::<Personnel, PersonnelFilter, PersonnelOrder>(by(
                        personnel::Column::HometownDistrictId,
                    )),
                )
                .connection(
                    "communityActions",
                    plain::<CommunityAction, CommunityActionFilter, CommunityActionOrder>(Some(
                        through::<community_action_district::Model>(
                            community_action_district::Column::DistrictId,
                            community_action_district::Column::CommunityActionId,
                        ),
                    )),
                ),
        ),
        (
            "Operation",
            ObjectBuilder::new::<operation::Model>(NodeKind::Operation)
                .column("revision", operation::Column::Revision, Number)
                .column("title", operation::Column::Title, Text)
                .column("kind", operation::Column::Kind, Text)
                .column("startDate", operation::Column::StartDate, Text)
                .column("endDate", operation::Column::EndDate, Text)
                .column("datePrecision", operation::Column::DatePrecision, Text)
                .column("place", operation::Column::Place, Text)
                .column("militantsKilled", operation::Column::MilitantsKilled, Number)
                .column("militantsArrested", operation::Column::MilitantsArrested, Number)
                .column("securityKilled", operation::Column::SecurityKilled, Number)
                .column("securityInjured", operation::Column::SecurityInjured, Number)
                .column("civiliansKilled", operation::Column::CiviliansKilled, Number)
                .column("fatalities", operation::Column::Fatalities, Number)
                .column(
                    "fatalitiesByConvention",
                    operation::Column::FatalitiesByConvention,
                    Boolean,
                )
                .column("summary", operation::Column::Summary, Text)
                .belongs_to("district", operation::Column::DistrictId, "District")
                .connection(
                    "personnel",
                    linked::<Personnel, Deployment, PersonnelFilter, DeploymentFilter, PersonnelOrder>(
                        through::<operation_personnel::Model>(
                            operation_personnel::Column::OperationId,
                            operation_personnel::Column::PersonnelId,
                        ),
                        DEPLOYMENT,
                    ),
                )
                .connection(
                    "militants",
                    linked::<Militant, Encounter, MilitantFilter, EncounterFilter, MilitantOrder>(
                        through::<operation_militant::Model>(
                            operation_militant::Column::OperationId,
                            operation_militant::Column::MilitantId,
                        ),
                        ENCOUNTER,
                    ),
                )
                .connection(
                    "organizations",
                    linked::<
                        Organization,
                        Involvement,
                        OrganizationFilter,
                        InvolvementFilter,
                        OrganizationOrder,
                    >(
                        through::<operation_organization::Model>(
                            operation_organization::Column::OperationId,
                            operation_organization::Column::OrganizationId,
                        ),
                        ROLE,
                    ),
                ),
        ),
        (
            "Personnel",
            ObjectBuilder::new::<personnel::Model>(NodeKind::Personnel)
                .column("revision", personnel::Column::Revision, Number)
                .column("name", personnel::Column::Name, Text)
                .column("aliases", personnel::Column::Aliases, Json)
                .column("rank", personnel::Column::Rank, Text)
                .column("hometown", personnel::Column::Hometown, Text)
                .column("status", personnel::Column::Status, Text)
                .belongs_to("organization", personnel::Column::OrganizationId, "Organization")
                .belongs_to(
                    "hometownDistrict",
                    personnel::Column::HometownDistrictId,
                    "District",
                )
                .connection(
                    "operations",
                    linked::<Operation, Deployment, OperationFilter, DeploymentFilter, OperationOrder>(
                        through::<operation_personnel::Model>(
                            operation_personnel::Column::PersonnelId,
                            operation_personnel::Column::OperationId,
                        ),
                        DEPLOYMENT,
                    ),
                )
                .connection(
                    "affiliations",
                    affiliations(by(affiliation::Column::SubjectPersonnelId)),
                ),
        ),
        (
            "Militant",
            ObjectBuilder::new::<militant::Model>(NodeKind::Militant)
                .column("revision", militant::Column::Revision, Number)
                .column("name", militant::Column::Name, Text)
                .column("reportedName", militant::Column::Name, Text)
                .column("aliases", militant::Column::Aliases, Json)
                .column("status", militant::Column::Status, Text)
                .column("militantStatus", militant::Column::Status, Text)
                .column("description", militant::Column::Description, Text)
                .belongs_to("nationality", militant::Column::NationalityId, "Country")
                .belongs_to(
                    "operatingCountry",
                    militant::Column::OperatingCountryId,
                    "Country",
                )
                .belongs_to("organization", militant::Column::OrganizationId, "Organization")
                .connection(
                    "operations",
                    linked::<Operation, Encounter, OperationFilter, EncounterFilter, OperationOrder>(
                        through::<operation_militant::Model>(
                            operation_militant::Column::MilitantId,
                            operation_militant::Column::OperationId,
                        ),
                        ENCOUNTER,
                    ),
                )
                .connection(
                    "affiliations",
                    affiliations(by(affiliation::Column::SubjectMilitantId)),
                ),
        ),
        (
            "Organization",
            ObjectBuilder::new::<organization::Model>(NodeKind::Organization)
                .column("revision", organization::Column::Revision, Number)
                .column("name", organization::Column::Name, Text)
                .column("aliases", organization::Column::Aliases, Json)
                .column("kind", organization::Column::Kind, Text)
                .column("description", organization::Column::Description, Text)
                .belongs_to("baseCountry", organization::Column::BaseCountryId, "Country")
                .connection(
                    "members",
                    plain::<Personnel, PersonnelFilter, PersonnelOrder>(by(
                        personnel::Column::OrganizationId,
                    )),
                )
                .connection(
                    "militants",
                    plain::<Militant, MilitantFilter, MilitantOrder>(by(
                        militant::Column::OrganizationId,
                    )),
                )
                .connection(
                    "operations",
                    linked::<
                        Operation,
                        Involvement,
                        OperationFilter,
                        InvolvementFilter,
                        OperationOrder,
                    >(
                        through::<operation_organization::Model>(
                            operation_organization::Column::OrganizationId,
                            operation_organization::Column::OperationId,
                        ),
                        ROLE,
                    ),
                )
                .connection(
                    "affiliations",
                    affiliations(by(affiliation::Column::SubjectOrganizationId)),
                )
                .connection(
                    "affiliated",
                    affiliations(by(affiliation::Column::TargetOrganizationId)),
                )
                .connection(
                    "communityActions",
                    linked::<
                        CommunityAction,
                        Participation,
                        CommunityActionFilter,
                        ParticipationFilter,
                        CommunityActionOrder,
                    >(
                        through::<community_action_actor::Model>(
                            community_action_actor::Column::OrganizationId,
                            community_action_actor::Column::CommunityActionId,
                        ),
                        ROLE,
                    ),
                )
                .connection(
                    "attacks",
                    linked::<Attack, AttackInvolvement, AttackFilter, AttackInvolvementFilter, AttackOrder>(
                        through::<attack_organization::Model>(
                            attack_organization::Column::OrganizationId,
                            attack_organization::Column::AttackId,
                        ),
                        ROLE,
                    ),
                ),
        ),
        (
            "Affiliation",
            ObjectBuilder::new::<affiliation::Model>(NodeKind::Affiliation)
                .column("revision", affiliation::Column::Revision, Number)
                .column("kind", affiliation::Column::Kind, Text)
                .column("crossBorder", affiliation::Column::CrossBorder, Boolean)
                .column("since", affiliation::Column::Since, Text)
                .column("until", affiliation::Column::Until, Text)
                .column("confidence", affiliation::Column::Confidence, Text),
        ),
        (
            "CommunityAction",
            ObjectBuilder::new::<community_action::Model>(NodeKind::CommunityAction)
                .column("revision", community_action::Column::Revision, Number)
                .column("kind", community_action::Column::Kind, Text)
                .column("date", community_action::Column::Date, Text)
                .column("datePrecision", community_action::Column::DatePrecision, Text)
                .column("place", community_action::Column::Place, Text)
                .column(
                    "actorsDescription",
                    community_action::Column::ActorsDescription,
                    Text,
                )
                .column("description", community_action::Column::Description, Text)
                .connection(
                    "districts",
                    plain::<District, DistrictFilter, DistrictOrder>(Some(through::<
                        community_action_district::Model,
                    >(
                        community_action_district::Column::CommunityActionId,
                        community_action_district::Column::DistrictId,
                    ))),
                )
                .connection(
                    "actors",
                    linked::<
                        Organization,
                        Participation,
                        OrganizationFilter,
                        ParticipationFilter,
                        OrganizationOrder,
                    >(
                        through::<community_action_actor::Model>(
                            community_action_actor::Column::CommunityActionId,
                            community_action_actor::Column::OrganizationId,
                        ),
                        ROLE,
                    ),
                ),
        ),
        (
            "Attack",
            ObjectBuilder::new::<attack::Model>(NodeKind::Attack)
                .column("revision", attack::Column::Revision, Number)
                .column("kind", attack::Column::Kind, Text)
                .column("date", attack::Column::Date, Text)
                .column("datePrecision", attack::Column::DatePrecision, Text)
                .column("place", attack::Column::Place, Text)
                .column("securityKilled", attack::Column::SecurityKilled, Number)
                .column("securityInjured", attack::Column::SecurityInjured, Number)
                .column("civiliansKilled", attack::Column::CiviliansKilled, Number)
                .column("civiliansInjured", attack::Column::CiviliansInjured, Number)
                .column("militantsKilled", attack::Column::MilitantsKilled, Number)
                .column("abducted", attack::Column::Abducted, Number)
                .column("fatalities", attack::Column::Fatalities, Number)
                .column(
                    "fatalitiesByConvention",
                    attack::Column::FatalitiesByConvention,
                    Boolean,
                )
                .column("description", attack::Column::Description, Text)
                .belongs_to("district", attack::Column::DistrictId, "District")
                .connection(
                    "organizations",
                    linked::<
                        Organization,
                        AttackInvolvement,
                        OrganizationFilter,
                        AttackInvolvementFilter,
                        OrganizationOrder,
                    >(
                        through::<attack_organization::Model>(
                            attack_organization::Column::AttackId,
                            attack_organization::Column::OrganizationId,
                        ),
                        ROLE,
                    ),
                ),
        ),
        (
            "Source",
            ObjectBuilder::new::<source::Model>(NodeKind::Source)
                .column("revision", source::Column::Revision, Number)
                .column("title", source::Column::Title, Text)
                .column("publisher", source::Column::Publisher, Text)
                .column("url", source::Column::Url, Text)
                .column("publishedOn", source::Column::PublishedOn, Text)
                .column("kind", source::Column::Kind, Text)
                .column("description", source::Column::Description, Text)
                .connection(
                    "citations",
                    plain::<Citation, CitationFilter, CitationOrder>(by(citation::Column::SourceId)),
                ),
        ),
        (
            "Citation",
            ObjectBuilder::plain::<citation::Model>()
                .column("quote", citation::Column::Quote, Text)
                .column("locator", citation::Column::Locator, Text)
                .column("confidence", citation::Column::Confidence, Text)
                .belongs_to("source", citation::Column::SourceId, "Source"),
        ),
    ];
    let roots = [
        (
            "countries",
            plain::<Country, CountryFilter, CountryOrder>(None),
        ),
        (
            "provinces",
            plain::<Province, ProvinceFilter, ProvinceOrder>(None),
        ),
        (
            "districts",
            plain::<District, DistrictFilter, DistrictOrder>(None),
        ),
        (
            "operations",
            plain::<Operation, OperationFilter, OperationOrder>(None),
        ),
        (
            "personnel",
            plain::<Personnel, PersonnelFilter, PersonnelOrder>(None),
        ),
        (
            "militants",
            plain::<Militant, MilitantFilter, MilitantOrder>(None),
        ),
        (
            "organizations",
            plain::<Organization, OrganizationFilter, OrganizationOrder>(None),
        ),
        ("affiliations", affiliations(None)),
        (
            "communityActions",
            plain::<CommunityAction, CommunityActionFilter, CommunityActionOrder>(None),
        ),
        ("attacks", plain::<Attack, AttackFilter, AttackOrder>(None)),
        ("sources", plain::<Source, SourceFilter, SourceOrder>(None)),
    ];
    Registry {
        objects: objects
            .into_iter()
            .map(|(name, builder)| (name, builder.object))
            .collect(),
        roots: roots.into_iter().collect(),
    }
}
