//! What an ACLED event is in ctgraph's domain, decided by who acted against whom: `actor1`
//! is the side that initiated the event, `actor2` the side it acted on, and `inter1`/`inter2`
//! say what kind of actor each is. The rules are [`classify`]'s table (the README has it
//! too); each answer is typed, and an event the rules do not map keeps its reason.

use crate::graphql::enums::{
    AttackKind, CommunityActionKind, OrganizationKind, SourceKind, UnmappedReason,
};

/// An ACLED actor type (`inter1`/`inter2`): numeric in the older layout, text in the current.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Inter {
    None,
    State,
    Rebel,
    PoliticalMilitia,
    IdentityMilitia,
    Rioters,
    Protesters,
    Civilians,
    External,
    /// A type this importer does not know, or no `inter` column: judged by the actor's name.
    Unknown,
}

impl Inter {
    pub(super) fn parse(value: &str) -> Result<Self, String> {
        Ok(match value.trim().to_ascii_lowercase().as_str() {
            "" | "0" => Self::None,
            "1" | "state forces" => Self::State,
            "2" | "rebel group" | "rebel groups" => Self::Rebel,
            "3" | "political militia" | "political militias" => Self::PoliticalMilitia,
            "4" | "identity militia" | "identity militias" => Self::IdentityMilitia,
            "5" | "rioters" => Self::Rioters,
            "6" | "protesters" => Self::Protesters,
            "7" | "civilians" => Self::Civilians,
            "8" | "external/other forces" | "external/other force" => Self::External,
            v if v.chars().all(|c| c.is_ascii_digit()) => {
                return Err(format!("{v:?} is not an ACLED actor type (0 to 8)"));
            }
            _ => Self::Unknown,
        })
    }
}

/// One side of an event: its main actor, associated actors and type.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Side {
    pub(super) actor: String,
    pub(super) associated: Vec<String>,
    pub(super) inter: Inter,
}

impl Side {
    fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.actor).chain(&self.associated)
    }

    fn is_empty(&self) -> bool {
        self.actor.is_empty()
    }

    /// State forces or external forces (a foreign military, a UN or AU mission), by type or,
    /// for a joint operation coded under a regional force, by a state force among its actors.
    fn is_forces(&self) -> bool {
        matches!(self.inter, Inter::State | Inter::External)
            || (!self.is_community() && self.names().any(|n| is_state_name(n)))
    }

    /// Civilians organised against militancy: identity (clan, tribal) militias, village
    /// defence forces, peace committees and pro-government militias.
    fn is_community(&self) -> bool {
        self.inter == Inter::IdentityMilitia
            || (!matches!(self.inter, Inter::Rebel | Inter::State | Inter::External)
                && self.names().any(|n| is_community_defence(n)))
    }

    /// A non-state armed group: rebels, political militias, or an armed group ACLED could
    /// not name; never a community's militia.
    fn is_armed(&self) -> bool {
        if self.is_community() || self.is_forces() {
            return false;
        }
        matches!(self.inter, Inter::Rebel | Inter::PoliticalMilitia)
            || self.actor.starts_with("Unidentified Armed Group")
            || (self.inter == Inter::Unknown && !self.is_empty() && !is_label(&self.actor))
    }

    /// The actors that are organizations, main actor first.
    pub(super) fn organizations(&self) -> impl Iterator<Item = &String> {
        self.names().filter(|a| !a.is_empty() && !is_label(a))
    }
}

/// ACLED's names for a country's own forces.
pub(super) fn is_state_name(name: &str) -> bool {
    name.starts_with("Military Forces of") || name.starts_with("Police Forces of")
}

/// Names of village defence forces, peace committees and pro-government militias (Afghanistan's
/// 'Arbaki' and uprising forces): civilians organised against militants.
pub(super) fn is_community_defence(name: &str) -> bool {
    let name = name.to_lowercase();
    [
        "peace committee",
        "aman committee",
        "aman lashkar",
        "qaumi lashkar",
        "tribal lashkar",
        "village defence",
        "village defense",
        "self-defence",
        "self-defense",
        "pro-government",
        "arbaki",
        "uprising",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// ACLED's labels for kinds of people rather than organizations: protesters, civilians,
/// communal and ethnic groups, actors it could not identify. They stay in the raw record.
pub(super) fn is_label(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "Protesters",
        "Rioters",
        "Civilians",
        "Unidentified",
        "Journalists",
        "Students",
        "Lawyers",
        "Teachers",
        "Health Workers",
        "Women",
        "Farmers",
        "Refugees",
        "Prisoners",
        "Labo",
        "Settlers",
        "Fishers",
        "Traders",
        "Muslim Group",
    ];
    const INNER: &[&str] = &[
        "Ethnic Group",
        "Communal Group",
        "Religious Group",
        "Muslim Group",
        "Christian Group",
        "Hindu Group",
        "Sikh Group",
        "Labour Group",
        "Labor Group",
        "Tribal Group",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || INNER.iter().any(|i| name.contains(i))
}

/// Multinational forces and missions (NATO, AMISOM, MONUSCO, UN missions, coalitions): ACLED
/// codes them as external forces, with no country of their own.
pub(super) fn is_international_force(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "NATO", "AMISOM", "ATMIS", "MONUSCO", "MINUSMA", "MINUSCA", "UNAMID", "UNMISS", "UNIFIL",
        "ISAF", "EUFOR", "KFOR", "ECOMOG", "SADC", "MNJTF",
    ];
    const INNER: &[&str] = &[
        "United Nations",
        "African Union",
        "North Atlantic Treaty",
        "Multinational",
        "Coalition",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || INNER.iter().any(|i| name.contains(i))
}

/// Armed criminals: drug gangs, smugglers, bandits, cartels.
pub(super) fn is_criminal(name: &str) -> bool {
    let name = name.to_lowercase();
    [
        "drug", "cartel", "smuggler", "criminal", "gang", "bandit", "traffick", "robber",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// The kind of an organization an actor is, from its name first (associated actors have no
/// type of their own), then from its side's ACLED type; `main` when it is the side's first
/// actor, whose type `inter` gives.
pub(super) fn organization_kind(name: &str, side: &Side, main: bool) -> OrganizationKind {
    if is_state_name(name) {
        return OrganizationKind::SecurityForce;
    }
    if name.starts_with("Government of") {
        return OrganizationKind::GovernmentBody;
    }
    if is_international_force(name) {
        return OrganizationKind::InternationalForce;
    }
    if is_community_defence(name) {
        return OrganizationKind::PeaceCommittee;
    }
    if is_criminal(name) {
        return OrganizationKind::CriminalGroup;
    }
    match side.inter {
        Inter::State | Inter::External if main => OrganizationKind::SecurityForce,
        Inter::Rebel | Inter::PoliticalMilitia => OrganizationKind::MilitantGroup,
        _ => OrganizationKind::Other,
    }
}

/// The country a state actor's name gives: "Military Forces of Pakistan (2018-)" → Pakistan.
pub(super) fn base_country(name: &str) -> Option<&str> {
    let rest = ["Military Forces of ", "Police Forces of ", "Government of "]
        .iter()
        .find_map(|p| name.strip_prefix(p))?;
    let country = rest.split(" (").next()?.trim();
    let country = country.strip_prefix("the ").unwrap_or(country);
    (!country.is_empty()).then_some(country)
}

/// The kind of source an outlet ACLED names is: official bodies' outlets are `OFFICIAL`;
/// social networks `SOCIAL_MEDIA`; sources ACLED does not name ("Undisclosed Source", its
/// "Local Network" of partners) `UNDISCLOSED`; monitors' and NGOs' `REPORT`; the rest `NEWS`.
pub(super) fn source_kind(outlet: &str) -> SourceKind {
    let lower = outlet.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if any(&[
        "government",
        "ministry",
        "department",
        "ispr",
        "inter services public relations",
        "police",
        "army",
        "military",
    ]) {
        SourceKind::Official
    } else if any(&[
        "twitter",
        "facebook",
        "telegram",
        "whatsapp",
        "youtube",
        "instagram",
        "tiktok",
        "social media",
    ]) {
        SourceKind::SocialMedia
    } else if any(&["undisclosed", "local network", "local partner"]) {
        SourceKind::Undisclosed
    } else if any(&[
        "portal",
        "human rights",
        "amnesty",
        "watch",
        "commission",
        "institute",
        "council",
        "united nations",
        "ocha",
        "report",
    ]) {
        SourceKind::Report
    } else {
        SourceKind::News
    }
}

/// The side an event names first (1, `actor1`) or second (2).
pub(super) type SideNo = u8;

/// What an event becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// An operation; the side that is the forces conducting it.
    Operation { forces: SideNo },
    /// An armed group's attack of a kind; the side that attacked.
    Attack { kind: AttackKind, by: SideNo },
    /// A community action of a kind; the side that acted.
    Community {
        kind: CommunityActionKind,
        actor: SideNo,
    },
    /// Kept as an unmapped record, for this reason.
    Unmapped(UnmappedReason),
}

/// What an event is, by who acted (`actor1`) against whom (`actor2`). "Forces" are state or
/// external forces, "armed" a non-state armed group, "community" a community's militia
/// (identity militias, village defence, peace committees, pro-government militias).
///
/// | event | actor1 → actor2 | becomes |
/// |---|---|---|
/// | Protests, Riots | notes say against terrorism or militancy | community action `OTHER` |
/// | Protests, Riots | anything else | unmapped `PROTEST` |
/// | Battles | community ↔ armed, either first | community action `ARMED_RESISTANCE` by the community |
/// | Battles | forces → armed | operation by actor1 |
/// | Battles | armed → forces | attack by actor1 (`ARMED_ASSAULT`) |
/// | Battles | forces ↔ forces | unmapped `BETWEEN_FORCES` |
/// | Battles | forces ↔ anyone else | unmapped `FORCES_WITHOUT_ARMED_GROUP` |
/// | Battles | armed ↔ armed | unmapped `BETWEEN_ARMED_GROUPS` |
/// | Battles | no actor2 | unmapped `ONE_SIDED` |
/// | Explosions/Remote violence | forces → armed, or no one named | operation by actor1 (airstrikes, shelling) |
/// | Explosions/Remote violence | forces → forces | unmapped `BETWEEN_FORCES` |
/// | Explosions/Remote violence | forces → anyone else | unmapped `FORCES_ON_CIVILIANS` |
/// | Explosions/Remote violence | community → armed | community action `ARMED_RESISTANCE` |
/// | Explosions/Remote violence, Violence against civilians | armed → anyone, or no one named | attack by actor1, its kind from `sub_event_type` ([`attack_kind`]) |
/// | Violence against civilians | forces → forces | unmapped `BETWEEN_FORCES` |
/// | Violence against civilians | forces → anyone else | unmapped `FORCES_ON_CIVILIANS` |
/// | Strategic developments: Arrests | forces → armed | operation by actor1 |
/// | Strategic developments: Arrests | forces → anyone else | unmapped `ARREST_NOT_OF_ARMED_GROUP` |
/// | Strategic developments: Disrupted weapons use | forces and an armed group or no one, either first | operation by the forces |
/// | Strategic developments | anything else | unmapped `OTHER_DEVELOPMENT` |
/// | any other event by actors none of the rows above fit | | unmapped `OTHER_VIOLENCE` |
/// | an event type ACLED does not have | | unmapped `UNKNOWN_EVENT_TYPE` |
pub(super) fn classify(
    event_type: &str,
    sub_event_type: &str,
    notes: &str,
    (s1, s2): (&Side, &Side),
) -> Class {
    use UnmappedReason as Why;
    let resistance = |actor| Class::Community {
        kind: CommunityActionKind::ArmedResistance,
        actor,
    };
    match event_type {
        "Protests" | "Riots" if against_militancy(notes) => Class::Community {
            kind: CommunityActionKind::Other,
            actor: 1,
        },
        "Protests" | "Riots" => Class::Unmapped(Why::Protest),
        "Battles" if s2.is_empty() => Class::Unmapped(Why::OneSided),
        "Battles" if s1.is_community() && s2.is_armed() => resistance(1),
        "Battles" if s2.is_community() && s1.is_armed() => resistance(2),
        "Battles" => match (s1.is_forces(), s2.is_forces()) {
            (true, true) => Class::Unmapped(Why::BetweenForces),
            (true, false) if s2.is_armed() => Class::Operation { forces: 1 },
            (false, true) if s1.is_armed() => Class::Attack {
                kind: AttackKind::ArmedAssault,
                by: 1,
            },
            (true, false) | (false, true) => Class::Unmapped(Why::ForcesWithoutArmedGroup),
            (false, false) if s1.is_armed() && s2.is_armed() => {
                Class::Unmapped(Why::BetweenArmedGroups)
            }
            (false, false) => Class::Unmapped(Why::OtherViolence),
        },
        "Explosions/Remote violence" | "Violence against civilians" if s1.is_armed() => {
            Class::Attack {
                kind: attack_kind(sub_event_type),
                by: 1,
            }
        }
        "Explosions/Remote violence" | "Violence against civilians" if s1.is_forces() => {
            if s2.is_forces() {
                Class::Unmapped(Why::BetweenForces)
            } else if event_type == "Explosions/Remote violence" && (s2.is_empty() || s2.is_armed())
            {
                Class::Operation { forces: 1 }
            } else {
                Class::Unmapped(Why::ForcesOnCivilians)
            }
        }
        "Explosions/Remote violence" if s1.is_community() && s2.is_armed() => resistance(1),
        "Explosions/Remote violence" | "Violence against civilians" => {
            Class::Unmapped(Why::OtherViolence)
        }
        "Strategic developments" => match sub_event_type {
            "Arrests" if s1.is_forces() && s2.is_armed() => Class::Operation { forces: 1 },
            "Arrests" if s1.is_forces() => Class::Unmapped(Why::ArrestNotOfArmedGroup),
            "Disrupted weapons use" if s1.is_forces() && (s2.is_empty() || s2.is_armed()) => {
                Class::Operation { forces: 1 }
            }
            "Disrupted weapons use" if s2.is_forces() && s1.is_armed() => {
                Class::Operation { forces: 2 }
            }
            _ => Class::Unmapped(Why::OtherDevelopment),
        },
        _ => Class::Unmapped(Why::UnknownEventType),
    }
}

/// The kind of an armed group's attack, from ACLED's `sub_event_type`.
///
/// | sub_event_type | kind |
/// |---|---|
/// | Suicide bomb | `SUICIDE_ATTACK` |
/// | Remote explosive/landmine/IED, Grenade | `BOMBING` |
/// | Shelling/artillery/missile attack, Air/drone strike | `REMOTE_VIOLENCE` |
/// | Attack, Armed clash | `ARMED_ASSAULT` |
/// | Abduction/forced disappearance | `ABDUCTION` |
/// | anything else (Sexual violence, Chemical weapon, ...) | `OTHER` |
pub(super) fn attack_kind(sub_event_type: &str) -> AttackKind {
    match sub_event_type {
        "Suicide bomb" => AttackKind::SuicideAttack,
        "Remote explosive/landmine/IED" | "Grenade" => AttackKind::Bombing,
        "Shelling/artillery/missile attack" | "Air/drone strike" => AttackKind::RemoteViolence,
        "Attack" | "Armed clash" => AttackKind::ArmedAssault,
        "Abduction/forced disappearance" => AttackKind::Abduction,
        _ => AttackKind::Other,
    }
}

/// Whether a protest's notes say it was against terrorism or militancy.
fn against_militancy(notes: &str) -> bool {
    let notes = notes.to_lowercase();
    [
        "against terrorism",
        "against terrorist",
        "against militan",
        "against extremis",
        "against the taliban",
        "against taliban",
        "against the ttp",
        "against ttp",
        "against al shabaab",
        "against al-shabaab",
    ]
    .iter()
    .any(|w| notes.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(actor: &str, inter: Inter) -> Side {
        Side {
            actor: actor.to_owned(),
            associated: Vec::new(),
            inter,
        }
    }

    #[test]
    fn labels_are_not_organizations() {
        assert!(is_label("Protesters (Pakistan)"));
        assert!(is_label("Unidentified Armed Group (Pakistan)"));
        assert!(is_label("Pashtun Ethnic Group (Pakistan)"));
        assert!(!is_label("TTP: Tehreek-i-Taliban Pakistan"));
        assert!(!is_label("Military Forces of Pakistan (2018-)"));
    }

    #[test]
    fn state_actors_name_their_country() {
        assert_eq!(
            base_country("Military Forces of Pakistan (2018-)"),
            Some("Pakistan")
        );
        assert_eq!(
            base_country("Police Forces of India (2014-) Border Security Force"),
            Some("India")
        );
        assert_eq!(
            base_country("Military Forces of the Philippines (2016-)"),
            Some("Philippines")
        );
        assert_eq!(base_country("TTP: Tehreek-i-Taliban Pakistan"), None);
    }

    #[test]
    fn outlets_get_a_kind() {
        assert_eq!(source_kind("Dawn (Pakistan)"), SourceKind::News);
        assert_eq!(
            source_kind("South Asia Terrorism Portal"),
            SourceKind::Report
        );
        let plo = "PLO Negotiations Affairs Department";
        assert_eq!(source_kind(plo), SourceKind::Official);
        assert_eq!(source_kind("Twitter"), SourceKind::SocialMedia);
        assert_eq!(source_kind("Telegram"), SourceKind::SocialMedia);
        assert_eq!(source_kind("Undisclosed Source"), SourceKind::Undisclosed);
        assert_eq!(source_kind("Local Network"), SourceKind::Undisclosed);
    }

    #[test]
    fn organizations_get_a_kind_from_their_name_first() {
        let external = side("", Inter::External);
        let militia = side("", Inter::PoliticalMilitia);
        let kind = |name, s| organization_kind(name, s, true);
        let amisom = "AMISOM: African Union Mission in Somalia (2007-2022)";
        assert_eq!(
            kind(amisom, &external),
            OrganizationKind::InternationalForce
        );
        let nato = "NATO: North Atlantic Treaty Organization";
        assert_eq!(kind(nato, &external), OrganizationKind::InternationalForce);
        let us = "Military Forces of the United States (2017-2021)";
        assert_eq!(kind(us, &external), OrganizationKind::SecurityForce);
        let drugs = "Armed Drug Suspects (Philippines)";
        assert_eq!(kind(drugs, &militia), OrganizationKind::CriminalGroup);
        let pro = "Militia (Pro-Government)";
        assert_eq!(kind(pro, &militia), OrganizationKind::PeaceCommittee);
        assert_eq!(kind("Taliban", &militia), OrganizationKind::MilitantGroup);
    }

    #[test]
    fn who_acted_decides() {
        let army = side("Military Forces of Afghanistan (2014-)", Inter::State);
        let taliban = side("Taliban", Inter::Rebel);
        let militia = side("Militia (Pro-Government)", Inter::PoliticalMilitia);
        let nato = side("NATO: North Atlantic Treaty Organization", Inter::External);
        let civilians = side("Civilians (Afghanistan)", Inter::Civilians);
        let none = side("", Inter::None);
        let battle = |a, b| classify("Battles", "Armed clash", "", (a, b));
        assert_eq!(battle(&army, &taliban), Class::Operation { forces: 1 });
        assert_eq!(
            battle(&taliban, &army),
            Class::Attack {
                kind: AttackKind::ArmedAssault,
                by: 1
            }
        );
        let ied = |a, b| {
            let sub = "Remote explosive/landmine/IED";
            classify("Explosions/Remote violence", sub, "", (a, b))
        };
        assert_eq!(
            ied(&taliban, &none),
            Class::Attack {
                kind: AttackKind::Bombing,
                by: 1
            }
        );
        let abduction = "Abduction/forced disappearance";
        assert_eq!(
            classify(
                "Violence against civilians",
                abduction,
                "",
                (&taliban, &civilians)
            ),
            Class::Attack {
                kind: AttackKind::Abduction,
                by: 1
            }
        );
        assert_eq!(
            battle(&taliban, &militia),
            Class::Community {
                kind: CommunityActionKind::ArmedResistance,
                actor: 2
            }
        );
        let strike = |a, b| classify("Explosions/Remote violence", "Air/drone strike", "", (a, b));
        assert_eq!(strike(&nato, &taliban), Class::Operation { forces: 1 });
        assert_eq!(strike(&army, &none), Class::Operation { forces: 1 });
        assert_eq!(
            strike(&army, &civilians),
            Class::Unmapped(UnmappedReason::ForcesOnCivilians)
        );
        assert_eq!(
            strike(&army, &nato),
            Class::Unmapped(UnmappedReason::BetweenForces)
        );
        let journalists = side("Journalists (Somalia)", Inter::Civilians);
        assert_eq!(
            classify(
                "Strategic developments",
                "Arrests",
                "",
                (&army, &journalists)
            ),
            Class::Unmapped(UnmappedReason::ArrestNotOfArmedGroup)
        );
        // A joint operation coded under a regional force names the state's among its actors.
        let joint = Side {
            associated: vec!["Military Forces of Somalia (2022-)".to_owned()],
            ..side("Jubaland Security Forces", Inter::PoliticalMilitia)
        };
        let shabaab = side("Al Shabaab", Inter::Rebel);
        assert_eq!(battle(&joint, &shabaab), Class::Operation { forces: 1 });
    }
}
