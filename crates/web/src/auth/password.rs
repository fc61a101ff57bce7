//! Password hashing with argon2id, always on the blocking thread conn.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

/// Hashes a password with argon2id (the crate's default parameters) into a PHC string.
pub async fn hash(password: String) -> anyhow::Result<String> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|error| anyhow::anyhow!("argon2 hashing failed: {error}"))
    })
    .await?
}

/// A hash of a random password, verified against when the account does not exist so
/// that a wrong staff ID takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(one_time().as_bytes())
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

/// Checks a password against a stored PHC string; `None` runs a dummy verification.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let (hash_text, real) = match &stored {
            Some(hash) => (hash.as_str(), true),
            None => (dummy_hash(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash_text) else {
            tracing::warn!("stored password hash is not a valid PHC string");
            return Ok(false);
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(real && matches)
    })
    .await?
}

/// Characters of generated passwords: no 0/O, 1/l/I, so they can be read aloud and typed.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Generates a one-time password such as `k7Qm-x3Pa-Tz9e` (about 68 bits).
pub fn one_time() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Checks a new password against the policy; the message is for the user.
pub fn check_policy(password: &str, staff_id: &str) -> AppResult<()> {
    let length = password.chars().count();
    if length < 8 {
        return Err(AppError::invalid("新密码至少需要 8 个字符。"));
    }
    if length > 128 {
        return Err(AppError::invalid("新密码最多 128 个字符。"));
    }
    if password.eq_ignore_ascii_case(staff_id) || password.contains(staff_id) && staff_id.len() >= 4
    {
        return Err(AppError::invalid("新密码不能包含您的工号。"));
    }
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err(AppError::invalid("新密码需要同时包含字母和数字。"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let stored = hash("correct horse 9".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse 9".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse 9".into(), Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn missing_account_never_verifies() {
        assert!(!verify("anything1".into(), None).await.unwrap());
    }

    #[test]
    fn one_time_passwords_differ_and_pass_policy() {
        let first = one_time();
        assert_eq!(first.len(), 14);
        assert_ne!(first, one_time());
    }

    #[test]
    fn policy_rejects_weak_passwords() {
        assert!(check_policy("short1", "2019001").is_err());
        assert!(check_policy("abcdefgh", "2019001").is_err());
        assert!(check_policy("pw2019001x", "2019001").is_err());
        assert!(check_policy("teach2025ok", "2019001").is_ok());
    }
}
