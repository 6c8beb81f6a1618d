//! The lab's fixed demo accounts. Passwords are public on purpose (they are lab
//! fixtures); the server still only ever compares against argon2id hashes.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    pub username: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

pub const USERS: &[User] = &[
    User {
        username: "alice",
        email: "alice@lab.test",
        password: "wonderland-alice",
    },
    User {
        username: "bob",
        email: "bob@lab.test",
        password: "builder-bob",
    },
];

/// PHC strings, one per entry of `USERS`, plus a trailing one for unknown users so a
/// miss costs the same argon2 work as a hit (no user enumeration by timing).
static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| {
    USERS
        .iter()
        .map(|u| u.password)
        .chain(std::iter::once("no-such-user"))
        .map(hash)
        .collect()
});

fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 default params hash any password")
        .to_string()
}

/// Compute the hashes now (blocking, ~tens of ms) instead of on the first login.
pub(crate) fn warm_up() {
    LazyLock::force(&HASHES);
}

/// The account a login identifier names, for rate limiting: a known user's username
/// (whether given as username or e-mail), else the identifier normalized. The flag
/// says whether it is a known account.
pub(crate) fn account_key(identifier: &str) -> (String, bool) {
    match find(identifier) {
        Some(i) => (USERS[i].username.to_owned(), true),
        None => (identifier.trim().to_lowercase(), false),
    }
}

fn find(identifier: &str) -> Option<usize> {
    let identifier = identifier.trim();
    USERS
        .iter()
        .position(|u| u.username == identifier || u.email.eq_ignore_ascii_case(identifier))
}

pub(crate) fn by_username(username: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.username == username)
}

/// Accepts a username or an e-mail address. Blocking (argon2): call off the async runtime.
pub(crate) fn authenticate(identifier: &str, password: &str) -> Option<&'static User> {
    let index = find(identifier);
    let phc = &HASHES[index.unwrap_or(USERS.len())];
    let ok = PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    match (ok, index) {
        (true, Some(i)) => Some(&USERS[i]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_or_email() {
        assert_eq!(authenticate("alice", "wonderland-alice"), Some(&USERS[0]));
        assert_eq!(authenticate("Bob@Lab.Test", "builder-bob"), Some(&USERS[1]));
        assert_eq!(authenticate("alice", "builder-bob"), None);
        assert_eq!(authenticate("nobody", "no-such-user"), None);
        assert!(HASHES[0].starts_with("$argon2id$"));
        assert_eq!(account_key(" ALICE@lab.test"), ("alice".to_owned(), true));
        assert_eq!(account_key(" Mallory "), ("mallory".to_owned(), false));
    }
}
