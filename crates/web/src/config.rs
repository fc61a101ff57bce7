//! Settings of a running server. The binary fills them from the command line and the
//! `XUESHI_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything the web application needs to know about its installation.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Holds the SQLite database (by default) and the evidence files.
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Always mark cookies `Secure` (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Believe `X-Forwarded-For` and `X-Forwarded-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
    /// Hours a browser session lasts without activity.
    pub session_idle_hours: i64,
    /// Days an API bearer token lasts.
    pub api_token_days: i64,
    /// Failed sign-ins of one account that lock it.
    pub lockout_attempts: i64,
    /// Minutes an account (or address) stays locked.
    pub lockout_minutes: i64,
    /// Failed sign-ins from one address that lock the address; higher than the account
    /// limit because a campus often shares one NAT address.
    pub ip_lockout_attempts: i64,
    /// Largest evidence file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Days after an activity's end within which filing it in the ledger is on time.
    pub ledger_late_days: i64,
    /// Thresholds of the submission checks' flags.
    pub checks: xueshi_core::checks::CheckConfig,
}

impl Config {
    /// Defaults for a data folder: SQLite in `<data_dir>/xueshi.db`, listening on
    /// 127.0.0.1:8080.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        let database_url = format!("sqlite://{}", data_dir.join("xueshi.db").display());
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            database_url,
            secure_cookies: false,
            trust_proxy: false,
            session_idle_hours: 12,
            api_token_days: 30,
            lockout_attempts: 5,
            lockout_minutes: 15,
            ip_lockout_attempts: 50,
            max_upload_bytes: 20 * 1024 * 1024,
            ledger_late_days: 7,
            checks: xueshi_core::checks::CheckConfig::default(),
        }
    }

    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir.join("evidence")
    }
}

impl std::fmt::Debug for Config {
    // The database URL may carry a password, so it is left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database",
                &self.database_url.split(':').next().unwrap_or(""),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_proxy", &self.trust_proxy)
            .finish_non_exhaustive()
    }
}
