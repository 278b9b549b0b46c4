//! ctgraph's own JSON dataset format, the format of `data/seed/`: a document with one list
//! per entity type, rows referring to each other by `key` (countries by ISO code, provinces
//! by ISO 3166-2 code), and every row citing the sources it rests on. A dataset may be split
//! over several files; [`Dataset::merge`] joins them.

use chrono::NaiveDate;
use serde::Deserialize;

/// A dataset: every list is optional.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataset {
    /// The name every provenanced row is labelled with (its `dataset`), which makes
    /// re-importing the file update its rows instead of duplicating them. `ctgraph import`
    /// uses the file's name without its extension when absent; the seed is `ctgraph-seed`.
    #[serde(default)]
    pub dataset: Option<String>,
    /// Where the facts come from.
    #[serde(default)]
    pub sources: Vec<SourceRow>,
    /// Countries, keyed by ISO 3166-1 alpha-2 code.
    #[serde(default)]
    pub countries: Vec<CountryRow>,
    /// Provinces, keyed by ISO 3166-2 code.
    #[serde(default)]
    pub provinces: Vec<ProvinceRow>,
    /// Districts.
    #[serde(default)]
    pub districts: Vec<DistrictRow>,
    /// Organizations.
    #[serde(default)]
    pub organizations: Vec<OrganizationRow>,
    /// Security personnel.
    #[serde(default)]
    pub personnel: Vec<PersonnelRow>,
    /// Militants.
    #[serde(default)]
    pub militants: Vec<MilitantRow>,
    /// Operations, with their links to personnel, militants and organizations.
    #[serde(default)]
    pub operations: Vec<OperationRow>,
    /// Affiliations.
    #[serde(default)]
    pub affiliations: Vec<AffiliationRow>,
    /// Community actions.
    #[serde(default)]
    pub community_actions: Vec<CommunityActionRow>,
    /// Aggregate figures stated by sources.
    #[serde(default)]
    pub reported_figures: Vec<ReportedFigureRow>,
    /// Attacks by armed groups, with their perpetrators and targets.
    #[serde(default)]
    pub attacks: Vec<AttackRow>,
}

impl Dataset {
    /// Appends every list of `other`.
    pub fn merge(&mut self, other: Dataset) {
        if self.dataset.is_none() {
            self.dataset = other.dataset;
        }
        self.sources.extend(other.sources);
        self.countries.extend(other.countries);
        self.provinces.extend(other.provinces);
        self.districts.extend(other.districts);
        self.organizations.extend(other.organizations);
        self.personnel.extend(other.personnel);
        self.militants.extend(other.militants);
        self.operations.extend(other.operations);
        self.affiliations.extend(other.affiliations);
        self.community_actions.extend(other.community_actions);
        self.reported_figures.extend(other.reported_figures);
        self.attacks.extend(other.attacks);
    }
}

/// A citation of a row: which source, which sentence, how firmly.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cite {
    /// Key of the source.
    pub source: String,
    /// The sentence the row rests on; absent for reference values such as coordinates.
    pub quote: Option<String>,
    /// Where in the source (a paragraph, a row).
    pub locator: Option<String>,
    /// `CONFIRMED`, `REPORTED` (the default), `ALLEGED` or `DISPUTED`.
    #[serde(default = "reported")]
    pub confidence: String,
}

fn reported() -> String {
    "REPORTED".to_owned()
}

/// A source.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRow {
    /// Key other rows cite it by.
    pub key: String,
    /// Title.
    pub title: String,
    /// Publisher, if named.
    pub publisher: Option<String>,
    /// Address, if known.
    pub url: Option<String>,
    /// Publication date, if known.
    pub published_on: Option<NaiveDate>,
    /// `NEWS`, `OFFICIAL`, `REPORT`, `DATASET` or `SYNTHETIC`.
    pub kind: String,
    /// Notes.
    pub description: Option<String>,
}

/// A country.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CountryRow {
    /// ISO 3166-1 alpha-2 code, also its key.
    pub iso_code: String,
    /// Name.
    pub name: String,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// A province.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvinceRow {
    /// ISO 3166-2 code, also its key.
    pub iso_code: String,
    /// Country's ISO code.
    pub country: String,
    /// Name.
    pub name: String,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// A district.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DistrictRow {
    /// Key.
    pub key: String,
    /// Province's ISO code.
    pub province: String,
    /// Name.
    pub name: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// An organization.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationRow {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Kind.
    pub kind: String,
    /// Base country's ISO code.
    pub base_country: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// A member of the security forces.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonnelRow {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Rank.
    pub rank: Option<String>,
    /// Organization key.
    pub organization: Option<String>,
    /// Hometown as written.
    pub hometown: Option<String>,
    /// Hometown district key.
    pub hometown_district: Option<String>,
    /// Status.
    pub status: String,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// A militant.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MilitantRow {
    /// Key.
    pub key: String,
    /// Name, if known.
    pub name: Option<String>,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Nationality's ISO code.
    pub nationality: Option<String>,
    /// ISO code of the country they were active in.
    pub operating_country: Option<String>,
    /// Organization key.
    pub organization: Option<String>,
    /// Status.
    pub status: String,
    /// Description.
    pub description: Option<String>,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// An operation and its links.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperationRow {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: Option<NaiveDate>,
    /// Date precision.
    pub date_precision: String,
    /// District key.
    pub district: Option<String>,
    /// Place as reported.
    pub place: Option<String>,
    /// Militants killed.
    pub militants_killed: Option<i32>,
    /// Militants arrested.
    pub militants_arrested: Option<i32>,
    /// Security personnel killed.
    pub security_killed: Option<i32>,
    /// Security personnel injured.
    pub security_injured: Option<i32>,
    /// Civilians killed.
    pub civilians_killed: Option<i32>,
    /// Deaths in all, where the source gives a total without saying who died.
    pub fatalities: Option<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    #[serde(default)]
    pub fatalities_by_convention: bool,
    /// Summary.
    pub summary: Option<String>,
    /// Personnel taking part.
    #[serde(default)]
    pub personnel: Vec<PersonnelLink>,
    /// Militants met.
    #[serde(default)]
    pub militants: Vec<MilitantLink>,
    /// Organizations involved.
    #[serde(default)]
    pub organizations: Vec<OrganizationLink>,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// A member of the security forces in an operation.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonnelLink {
    /// Personnel key.
    pub personnel: String,
    /// Role, if reported.
    pub role: Option<String>,
    /// Outcome.
    pub outcome: String,
}

/// A militant in an operation.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MilitantLink {
    /// Militant key.
    pub militant: String,
    /// Outcome.
    pub outcome: String,
}

/// An organization in an operation, attack or community action.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationLink {
    /// Organization key.
    pub organization: String,
    /// Role.
    pub role: String,
}

/// One end of an affiliation: exactly one field is set.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityRef {
    /// Personnel key.
    pub personnel: Option<String>,
    /// Militant key.
    pub militant: Option<String>,
    /// Organization key.
    pub organization: Option<String>,
    /// Country ISO code.
    pub country: Option<String>,
}

/// An affiliation. `crossBorder` is not part of it: it is derived on loading.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AffiliationRow {
    /// Key.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// Who is affiliated.
    pub subject: EntityRef,
    /// To what.
    pub target: EntityRef,
    /// First day known.
    pub since: Option<NaiveDate>,
    /// Last day known.
    pub until: Option<NaiveDate>,
    /// Confidence.
    pub confidence: String,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// A community action.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommunityActionRow {
    /// Key.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// Date, if known.
    pub date: Option<NaiveDate>,
    /// Date precision.
    pub date_precision: String,
    /// Place as reported.
    pub place: Option<String>,
    /// Who acted, as described.
    pub actors_description: Option<String>,
    /// What happened.
    pub description: String,
    /// District keys.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Organizations involved.
    #[serde(default)]
    pub actors: Vec<OrganizationLink>,
    /// Citations.
    pub cite: Vec<Cite>,
}

/// An aggregate figure a source states.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportedFigureRow {
    /// Key.
    pub key: String,
    /// Metric.
    pub metric: String,
    /// Value as stated.
    pub value: i32,
    /// Qualifier.
    pub qualifier: String,
    /// Period start.
    pub period_start: Option<NaiveDate>,
    /// Period end.
    pub period_end: Option<NaiveDate>,
    /// Province ISO code, when it covers a province.
    pub scope_province: Option<String>,
    /// District keys, when it covers districts.
    #[serde(default)]
    pub scope_districts: Vec<String>,
    /// The area as the source words it.
    pub scope_description: Option<String>,
    /// Nationality ISO code, when it counts one nationality.
    pub nationality: Option<String>,
    /// Source key.
    pub source: String,
    /// The sentence stating it.
    pub quote: String,
}

/// An armed group's attack and the organizations behind it and struck by it.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttackRow {
    /// Key.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// The day, or the first day of the period the precision names.
    pub date: NaiveDate,
    /// Date precision.
    pub date_precision: String,
    /// District key.
    pub district: Option<String>,
    /// Place as reported.
    pub place: Option<String>,
    /// Security personnel killed.
    pub security_killed: Option<i32>,
    /// Security personnel injured.
    pub security_injured: Option<i32>,
    /// Civilians killed.
    pub civilians_killed: Option<i32>,
    /// Civilians injured.
    pub civilians_injured: Option<i32>,
    /// Attackers killed.
    pub militants_killed: Option<i32>,
    /// People abducted.
    pub abducted: Option<i32>,
    /// Deaths in all, where the source gives a total without saying who died.
    pub fatalities: Option<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    #[serde(default)]
    pub fatalities_by_convention: bool,
    /// What happened.
    pub description: Option<String>,
    /// Perpetrators (`PERPETRATOR`) and targets (`TARGET`).
    #[serde(default)]
    pub organizations: Vec<OrganizationLink>,
    /// Citations.
    pub cite: Vec<Cite>,
}
