//! Which columns of an export feed which member field: the headers of
//! forum, chat, code-host, community-platform and CRM exports, and the
//! `columns` setting.

use std::collections::BTreeMap;

use icp_core::fields::snake_case;
use serde::Serialize;

/// A member field read from the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Field {
    Handle,
    Email,
    Name,
    Role,
    JobTitle,
    CompanyDomain,
    JoinDate,
    LastActive,
    Posts,
    Replies,
    EventsAttended,
    Contributions,
}

impl Field {
    pub(crate) const ALL: [Field; 12] = [
        Field::Handle,
        Field::Email,
        Field::Name,
        Field::Role,
        Field::JobTitle,
        Field::CompanyDomain,
        Field::JoinDate,
        Field::LastActive,
        Field::Posts,
        Field::Replies,
        Field::EventsAttended,
        Field::Contributions,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Handle => "handle",
            Field::Email => "email",
            Field::Name => "name",
            Field::Role => "role",
            Field::JobTitle => "job_title",
            Field::CompanyDomain => "company_domain",
            Field::JoinDate => "join_date",
            Field::LastActive => "last_active",
            Field::Posts => "posts",
            Field::Replies => "replies",
            Field::EventsAttended => "events_attended",
            Field::Contributions => "contributions",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Field> {
        let s = snake_case(name);
        Field::ALL.into_iter().find(|f| f.name() == s)
    }

    /// The headers (in snake_case) that map onto the field, strongest
    /// first. Deliberately not mapped: `topic_count` (topics are not
    /// posts), `likes_received` (likes are not contributions), `company`
    /// (a company name, not a domain), `activities_count`.
    pub(crate) fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Handle => &[
                "handle",
                "username",
                "user_name",
                "login",
                "screen_name",
                "nickname",
                "member",
                "member_handle",
                "github_login",
                "github_username",
                "github_handle",
                "discord_username",
                "discord_handle",
                "slack_username",
                "slack_handle",
                "display_name",
                "global_name",
            ],
            Field::Email => &[
                "email",
                "e_mail",
                "email_address",
                "work_email",
                "primary_email",
                "user_email",
                "member_email",
                "mail",
            ],
            Field::Name => &[
                "name",
                "full_name",
                "fullname",
                "real_name",
                "member_name",
                "contact_name",
            ],
            Field::Role => &["role", "member_type", "member_role", "community_role"],
            Field::JobTitle => &[
                "job_title",
                "title",
                "jobtitle",
                "job_function_title",
                "position",
                "occupation",
            ],
            Field::CompanyDomain => &[
                "company_domain",
                "company_domain_name",
                "website",
                "company_website",
                "website_url",
                "company_url",
                "domain",
                "organization_website",
                "organization_domain",
                "org_domain",
            ],
            Field::JoinDate => &[
                "join_date",
                "joined_at",
                "joined",
                "joined_on",
                "date_joined",
                "member_since",
                "created_at",
                "created",
                "create_date",
                "creation_date",
                "signup_date",
                "sign_up_date",
                "signed_up_at",
                "registered_at",
                "registration_date",
                "first_activity_at",
                "first_active_at",
                "first_seen_at",
                "first_seen",
            ],
            Field::LastActive => &[
                "last_active",
                "last_active_at",
                "last_activity",
                "last_activity_at",
                "last_activity_date",
                "last_activity_occurred_at",
                "last_seen_at",
                "last_seen",
                "last_posted_at",
                "last_message_at",
                "last_contribution_at",
                "last_commented_at",
                "last_login",
                "last_login_at",
                "last_visit",
                "last_visited_at",
            ],
            Field::Posts => &[
                "posts",
                "post_count",
                "posts_count",
                "number_of_posts",
                "messages",
                "message_count",
                "messages_count",
                "messages_sent",
                "total_messages",
            ],
            Field::Replies => &[
                "replies",
                "reply_count",
                "replies_count",
                "comments",
                "comment_count",
                "comments_count",
                "answers",
                "answer_count",
            ],
            Field::EventsAttended => &[
                "events_attended",
                "events",
                "event_count",
                "events_count",
                "webinars_attended",
                "meetups_attended",
                "event_attendance",
            ],
            Field::Contributions => &[
                "contributions",
                "contribution_count",
                "contributions_count",
                "answers_accepted",
                "accepted_answers",
                "solutions",
                "solution_count",
                "solutions_count",
                "accepted_solutions",
            ],
        }
    }
}

const FIRST_NAME: &[&str] = &["first_name", "firstname", "given_name"];
const LAST_NAME: &[&str] = &["last_name", "lastname", "surname", "family_name"];

/// The columns of one file that feed one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldColumns {
    /// The member field.
    pub field: &'static str,
    /// The file's headers for it, strongest first (one when set in
    /// `columns`).
    pub headers: Vec<String>,
    #[serde(skip)]
    pub(crate) indexes: Vec<usize>,
    #[serde(skip)]
    pub(crate) kind: Field,
}

/// How one file's columns map onto member fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mapping {
    pub(crate) fields: Vec<FieldColumns>,
    /// `First Name` and `Last Name` columns, used for `name` when no column
    /// maps to it.
    pub(crate) first_name: Option<usize>,
    pub(crate) last_name: Option<usize>,
}

impl Mapping {
    pub(crate) fn get(&self, f: Field) -> Option<&FieldColumns> {
        self.fields.iter().find(|c| c.kind == f)
    }

    pub(crate) fn has(&self, f: Field) -> bool {
        self.get(f).is_some()
    }
}

/// The index of `wanted` in `headers`: exact (trimmed) first, then ignoring
/// case, then by a unique snake_case form (`job title` = `Job_Title`).
pub(crate) fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    let w = wanted.trim();
    if w.is_empty() {
        return None;
    }
    headers
        .iter()
        .position(|h| h == w)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(w)))
        .or_else(|| {
            let s = snake_case(w);
            if s.is_empty() {
                return None;
            }
            let mut hits = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| snake_case(h) == s);
            match (hits.next(), hits.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })
}

/// Map one file's headers: `explicit` (field -> header; entries whose
/// header this file lacks are ignored here) first, then every header that
/// is a known name of a field not set explicitly.
pub(crate) fn map_columns(headers: &[String], explicit: &BTreeMap<Field, String>) -> Mapping {
    let snake: Vec<String> = headers.iter().map(|h| snake_case(h)).collect();
    let mut claimed = vec![false; headers.len()];
    let mut chosen: BTreeMap<Field, Vec<usize>> = BTreeMap::new();
    for (&f, header) in explicit {
        if let Some(i) = find_header(headers, header) {
            claimed[i] = true;
            chosen.insert(f, vec![i]);
        }
    }
    for f in Field::ALL {
        if chosen.contains_key(&f) {
            continue;
        }
        let mut found = Vec::new();
        for alias in f.aliases() {
            for (i, s) in snake.iter().enumerate() {
                if !claimed[i] && s == alias {
                    claimed[i] = true;
                    found.push(i);
                }
            }
        }
        if !found.is_empty() {
            chosen.insert(f, found);
        }
    }
    let find = |names: &[&str], claimed: &mut [bool]| {
        let i = names.iter().find_map(|n| {
            snake
                .iter()
                .enumerate()
                .position(|(i, s)| !claimed[i] && s == n)
        })?;
        claimed[i] = true;
        Some(i)
    };
    let (first_name, last_name) = if chosen.contains_key(&Field::Name) {
        (None, None)
    } else {
        (
            find(FIRST_NAME, &mut claimed),
            find(LAST_NAME, &mut claimed),
        )
    };
    Mapping {
        fields: Field::ALL
            .into_iter()
            .filter_map(|f| {
                let indexes = chosen.remove(&f)?;
                Some(FieldColumns {
                    field: f.name(),
                    headers: indexes.iter().map(|&i| headers[i].clone()).collect(),
                    indexes,
                    kind: f,
                })
            })
            .collect(),
        first_name,
        last_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn got(m: &Mapping) -> Vec<(&str, Vec<String>)> {
        m.fields
            .iter()
            .map(|f| (f.field, f.headers.clone()))
            .collect()
    }

    #[test]
    fn aliases_are_distinct() {
        let mut all: Vec<&str> = Field::ALL
            .iter()
            .flat_map(|f| f.aliases())
            .copied()
            .collect();
        all.extend(FIRST_NAME);
        all.extend(LAST_NAME);
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "an alias maps to two fields");
        for a in all {
            assert_eq!(snake_case(a), a, "{a} is not in snake_case");
        }
    }

    #[test]
    fn discourse_headers() {
        let headers = h(&[
            "id",
            "username",
            "name",
            "email",
            "title",
            "created_at",
            "last_seen_at",
            "last_posted_at",
            "post_count",
            "topic_count",
            "likes_received",
        ]);
        let m = map_columns(&headers, &BTreeMap::new());
        assert_eq!(
            got(&m),
            [
                ("handle", h(&["username"])),
                ("email", h(&["email"])),
                ("name", h(&["name"])),
                ("job_title", h(&["title"])),
                ("join_date", h(&["created_at"])),
                ("last_active", h(&["last_seen_at", "last_posted_at"])),
                ("posts", h(&["post_count"])),
            ]
        );
    }

    #[test]
    fn hubspot_headers_and_name_parts() {
        let headers = h(&[
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Job Title",
            "Create Date",
            "Last Activity Date",
            "Company Domain Name",
        ]);
        let m = map_columns(&headers, &BTreeMap::new());
        assert_eq!(
            got(&m),
            [
                ("email", h(&["Email"])),
                ("job_title", h(&["Job Title"])),
                ("company_domain", h(&["Company Domain Name"])),
                ("join_date", h(&["Create Date"])),
                ("last_active", h(&["Last Activity Date"])),
            ]
        );
        assert_eq!((m.first_name, m.last_name), (Some(1), Some(2)));
    }

    #[test]
    fn explicit_columns_replace_the_automatic_mapping() {
        let headers = h(&["Benutzer", "username", "Beiträge", "posts", "E-Mail"]);
        let explicit = BTreeMap::from([
            (Field::Handle, "benutzer".to_string()),
            (Field::Posts, "Beiträge".to_string()),
            (Field::Role, "Rolle".to_string()),
        ]);
        let m = map_columns(&headers, &explicit);
        assert_eq!(
            got(&m),
            [
                ("handle", h(&["Benutzer"])),
                ("email", h(&["E-Mail"])),
                ("posts", h(&["Beiträge"])),
            ]
        );
        // A header this file lacks leaves the automatic mapping in place.
        let m = map_columns(&h(&["login", "role"]), &explicit);
        assert_eq!(got(&m), [("handle", h(&["login"])), ("role", h(&["role"]))]);
    }

    #[test]
    fn header_lookup() {
        let headers = h(&["Job Title", "Member Type"]);
        assert_eq!(find_header(&headers, "Job Title"), Some(0));
        assert_eq!(find_header(&headers, " member type "), Some(1));
        assert_eq!(find_header(&headers, "member_type"), Some(1));
        assert_eq!(find_header(&headers, "Type"), None);
        assert_eq!(find_header(&headers, ""), None);
    }
}
