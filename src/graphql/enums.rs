//! The enumerations of the domain. Each is stored as its GraphQL name in a text column
//! (the migration CHECKs the allowed values), so `db_name` and `from_db` convert both ways.

use async_graphql::{Enum, resolver_utils::EnumType};

use crate::error::{ApiError, ApiResult};

/// The stored form of an enum value: its GraphQL name.
pub fn db_name<T: EnumType>(value: T) -> &'static str {
    T::items()
        .iter()
        .find(|item| item.value == value)
        .map_or("", |item| item.name)
}

/// Reads a stored enum value. A value outside the enum means the database holds data this
/// version does not know, which is an internal error, not the client's.
pub fn from_db<T: EnumType>(stored: &str) -> ApiResult<T> {
    T::items()
        .iter()
        .find(|item| item.name == stored)
        .map(|item| item.value)
        .ok_or_else(|| ApiError::Internal(format!("unknown stored enum value {stored:?}")))
}

/// Like [`from_db`] for a nullable column.
pub fn from_db_opt<T: EnumType>(stored: Option<&str>) -> ApiResult<Option<T>> {
    stored.map(from_db).transpose()
}

/// What kind of source a fact comes from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A news report or analysis.
    News,
    /// A statement by a government or security agency.
    Official,
    /// A research or NGO report.
    Report,
    /// A dataset, such as an event export or a gazetteer.
    Dataset,
    /// Generated data for tests and benchmarks; never a fact.
    Synthetic,
    /// A post on a social network (Twitter/X, Facebook, Telegram).
    SocialMedia,
    /// A source that is not named: ACLED's "Undisclosed Source" and its local partner networks.
    Undisclosed,
}

/// How precise a date is. The date itself is the first day of the period named.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    /// The exact day.
    Day,
    /// Some day in the week starting on the date.
    Week,
    /// Some day in the month starting on the date.
    Month,
    /// Some day in the quarter starting on the date.
    Quarter,
    /// Some day in the year starting on the date.
    Year,
    /// The source gives no date: community actions only, whose date is then null.
    Unknown,
}

/// The kind of a security operation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    /// An intelligence-based operation (IBO).
    IntelligenceBased,
    /// A large-scale military offensive.
    MilitaryOffensive,
    /// A raid on a specific target.
    Raid,
    /// A cordon-and-search operation.
    CordonAndSearch,
    /// Anything else.
    Other,
}

/// The kind of an organization.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganizationKind {
    /// An armed militant group.
    MilitantGroup,
    /// A military, paramilitary or police force.
    SecurityForce,
    /// A civilian peace committee.
    PeaceCommittee,
    /// A government body.
    GovernmentBody,
    /// Anything else.
    Other,
    /// A multinational force or mission: NATO, the African Union's and the UN's missions,
    /// coalitions.
    InternationalForce,
    /// An armed criminal group: drug gangs, smugglers, bandits.
    CriminalGroup,
}

/// What is known of a member of the security forces.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonnelStatus {
    /// Serving.
    Active,
    /// Killed ("martyred").
    Killed,
    /// Injured.
    Injured,
    /// Not reported.
    Unknown,
}

/// What is known of a militant.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MilitantStatus {
    /// Free, as far as the sources say.
    AtLarge,
    /// Killed.
    Killed,
    /// Arrested.
    Arrested,
    /// Surrendered.
    Surrendered,
    /// Not reported.
    Unknown,
}

/// The kind of an affiliation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AffiliationKind {
    /// Member of an organization.
    Membership,
    /// Citizen of a country.
    Nationality,
    /// Allied with an organization.
    Alliance,
    /// Supported by, or supporting, the target.
    Support,
    /// Given refuge in the target.
    Sanctuary,
    /// A connection the source does not qualify further.
    Connection,
}

/// How firmly a source states a fact.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    /// Confirmed by the source or corroborated.
    Confirmed,
    /// Reported as fact by the source.
    Reported,
    /// Alleged or suggested ("evidence suggests").
    Alleged,
    /// Contested by other sources.
    Disputed,
}

/// The kind of a community action against militancy.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommunityActionKind {
    /// A public declaration of support for the security forces.
    DeclarationOfSupport,
    /// Protecting people threatened by militants.
    Protection,
    /// Civilians taking up arms.
    ArmedResistance,
    /// Defending a police station or government building.
    DefenseOfFacility,
    /// Anything else.
    Other,
}

/// The kind of an armed group's attack.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttackKind {
    /// Gunmen attacking in person: a raid on a post, an ambush, a shooting.
    ArmedAssault,
    /// A planted or thrown bomb, an improvised explosive device, a landmine.
    Bombing,
    /// An attacker who dies by their own explosion.
    SuicideAttack,
    /// Attack from a distance: shelling, rockets, mortars, sniping at long range.
    RemoteViolence,
    /// Taking people away.
    Abduction,
    /// Anything else.
    Other,
}

/// What a reported figure counts.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureMetric {
    /// Operations conducted.
    Operations,
    /// Districts in which operations were conducted.
    DistrictsWithOperations,
    /// Militants killed.
    MilitantsKilled,
    /// Militants arrested.
    MilitantsArrested,
    /// Security personnel killed.
    SecurityKilled,
    /// Security personnel injured.
    SecurityInjured,
    /// Civilians killed.
    CiviliansKilled,
    /// Community actions against militancy.
    CommunityActions,
}

/// How a reported figure's value is meant.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureQualifier {
    /// Exactly the value.
    Exact,
    /// The value or more ("at least").
    AtLeast,
    /// More than the value ("over").
    MoreThan,
    /// About the value ("approximately").
    Approximately,
}

/// The role of a member of the security forces in an operation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonnelRole {
    /// Led the operation.
    Commander,
    /// Took part.
    Participant,
}

/// What happened to a member of the security forces in an operation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonnelOutcome {
    /// Killed ("martyred").
    Killed,
    /// Injured.
    Injured,
    /// Unharmed.
    Unharmed,
}

/// What happened to a militant in an operation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MilitantOutcome {
    /// Killed.
    Killed,
    /// Injured.
    Injured,
    /// Arrested.
    Arrested,
    /// Surrendered.
    Surrendered,
    /// Escaped.
    Escaped,
}

/// The part an organization played in an operation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganizationRole {
    /// Conducted the operation.
    ConductedBy,
    /// Supported it.
    SupportedBy,
    /// Was its target.
    Targeted,
}

/// The part an organization played in a community action.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParticipationRole {
    /// Took the action.
    Actor,
    /// Was supported by it.
    Supported,
    /// Was opposed by it.
    Opponent,
}

/// The part an organization played in an attack.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttackRole {
    /// Carried out the attack, or claimed it.
    Perpetrator,
    /// Was struck by it.
    Target,
}

/// Sort direction.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// Why an imported record was not mapped to a node: the rule of the importer's table
/// (README, "What an ACLED event becomes") that kept it aside. Its raw record is kept.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnmappedReason {
    /// An armed group's attack on forces or civilians, from before ctgraph had attacks.
    #[graphql(
        deprecation = "Attacks are imported as `Attack` nodes now; no import gives this reason, and re-importing the file maps the records that had it."
    )]
    Attack,
    /// Violence by state or external forces against civilians or others not an armed group.
    ForcesOnCivilians,
    /// Clashes or strikes between state or external forces.
    BetweenForces,
    /// A clash of state forces with no armed group on the other side (rioters, militias of
    /// communities).
    ForcesWithoutArmedGroup,
    /// Clashes between armed groups, with no forces or community on either side.
    BetweenArmedGroups,
    /// Arrests of people who are not an armed group (journalists, aid workers, suspects).
    ArrestNotOfArmedGroup,
    /// Strategic developments other than arrests and disrupted weapons use by forces.
    OtherDevelopment,
    /// Protests and riots not against militancy.
    Protest,
    /// Violence whose sides none of the rules fit (unidentified actors, communal clashes).
    OtherViolence,
    /// An event type that needs two sides, with only one named.
    OneSided,
    /// An event type the importer does not know.
    UnknownEventType,
}

impl UnmappedReason {
    /// The reason in a few words, for the import's summary.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Attack => "attacks by armed groups (before attacks were imported)",
            Self::ForcesOnCivilians => "violence by forces against civilians",
            Self::BetweenForces => "clashes between forces",
            Self::ForcesWithoutArmedGroup => "clashes of forces with no armed group",
            Self::BetweenArmedGroups => "clashes between armed groups",
            Self::ArrestNotOfArmedGroup => "arrests of people not in an armed group",
            Self::OtherDevelopment => "other strategic developments",
            Self::Protest => "protests and riots not against militancy",
            Self::OtherViolence => "violence no rule fits",
            Self::OneSided => "events with one side where two are needed",
            Self::UnknownEventType => "event types this importer does not know",
        }
    }
}
