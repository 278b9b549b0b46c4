//! Editor keys: who may change the graph. A key is 32 random bytes shown once when made; the
//! database keeps only its SHA-256, so a copy of the database lets no one in. Every request
//! that carries a key is checked against the database, so a revoked key stops working at
//! once, on every instance, without a restart.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, SqlErr,
};
use sha2::{Digest, Sha256};

use crate::entity::api_key::{self, Column, Entity as ApiKeys};
use crate::error::ApiError;

/// Every key starts so, which makes one found in a log or a repository recognisable.
const PREFIX: &str = "ctg_";

/// How stale `last used` may get: a key used all day is written once a minute, not once a
/// request.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Role {
    /// Create, change and delete nodes and links, merge duplicates.
    Editor,
    /// An editor who may also delete sources.
    Admin,
}

impl Role {
    /// The role as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "EDITOR",
            Self::Admin => "ADMIN",
        }
    }

    fn parse(stored: &str) -> Option<Self> {
        match stored {
            "EDITOR" => Some(Self::Editor),
            "ADMIN" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Who sent a request: the holder of a valid key.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The key's id (`api_keys.id`).
    pub key_id: i32,
    /// The key's name.
    pub name: String,
    /// What it may do.
    pub role: Role,
}

impl Caller {
    /// `Ok` when the caller's role is at least `needed`, `FORBIDDEN` otherwise.
    pub fn require(&self, needed: Role, what: &str) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "{what} needs an {} key; the key `{}` is an {} key",
                needed.as_str().to_lowercase(),
                self.name,
                self.role.as_str().to_lowercase()
            )))
        }
    }
}

/// A key as listed: everything but the key.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When a request last carried it, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Makes a key named `name` with `role` and returns it: the only time it is ever shown.
pub async fn create(db: &DatabaseConnection, name: &str, role: Role) -> anyhow::Result<String> {
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "a key needs a name: --name WHO");
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no random bytes from the system: {e}"))?;
    let key = format!(
        "{PREFIX}{}",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
    );
    // Names are unique in the table: of two keys made under one name at once (two
    // instances, two admins), one is made and the other refused here, never both.
    api_key::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        role: Set(role.as_str().to_owned()),
        key_hash: Set(hash(&key)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            anyhow::anyhow!("a key named `{name}` exists; choose another name, or revoke that one")
        }
        _ => e.into(),
    })?;
    Ok(key)
}

/// Every key, oldest first.
pub async fn list(db: &DatabaseConnection) -> anyhow::Result<Vec<KeyInfo>> {
    let keys = ApiKeys::find().order_by_asc(Column::Id).all(db).await?;
    keys.into_iter()
        .map(|k| {
            Ok(KeyInfo {
                role: Role::parse(&k.role)
                    .ok_or_else(|| anyhow::anyhow!("key `{}` has no known role", k.name))?,
                name: k.name,
                created_at: k.created_at,
                last_used_at: k.last_used_at,
                revoked_at: k.revoked_at,
            })
        })
        .collect()
}

/// Revokes the key named `name`; its next request is refused. False when no valid key has
/// that name.
pub async fn revoke(db: &DatabaseConnection, name: &str) -> anyhow::Result<bool> {
    let done = ApiKeys::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Utc::now()))
        .filter(Column::Name.eq(name))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The caller a request's `Authorization` header names: `None` without the header,
/// `UNAUTHENTICATED` for one that is malformed or names no valid key.
pub async fn authenticate(
    db: &DatabaseConnection,
    authorization: Option<&str>,
) -> Result<Option<Caller>, ApiError> {
    let Some(value) = authorization else {
        return Ok(None);
    };
    let key = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthenticated(
                "the Authorization header must be `Bearer KEY`, with a key from `ctgraph keys create`"
                    .into(),
            )
        })?;
    let found = ApiKeys::find()
        .filter(Column::KeyHash.eq(hash(key)))
        .one(db)
        .await
        .map_err(ApiError::from)?;
    let unknown = || {
        ApiError::Unauthenticated(
            "this key is unknown or revoked; ask an admin for a key (`ctgraph keys create`)".into(),
        )
    };
    let key = found
        .filter(|k| k.revoked_at.is_none())
        .ok_or_else(unknown)?;
    let role = Role::parse(&key.role).ok_or_else(unknown)?;
    let now = Utc::now();
    if key
        .last_used_at
        .is_none_or(|used| now - used >= LAST_USED_RESOLUTION)
    {
        // Best effort: a busy database must not turn a valid key away.
        let touched = ApiKeys::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(now))
            .filter(Column::Id.eq(key.id))
            .exec(db)
            .await;
        if let Err(e) = touched {
            tracing::warn!(key = %key.name, "cannot record the key's use: {e}");
        }
    }
    Ok(Some(Caller {
        key_id: key.id,
        name: key.name,
        role,
    }))
}

/// The stored form of a key.
fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
