//! Credentials and defaults: the environment first, then a TOML file.
//!
//! ```toml
//! # ~/.config/idv-delete/config.toml (chmod 600: it can erase everything)
//! [jumio]
//! api_token = "..."
//! api_secret = "..."
//! user_agent = "Acme KYC-Cleaner/1.0"
//! region = "eu"                 # default for `idv-delete jumio`
//!
//! [hyperverge]
//! app_id = "..."
//! app_key = "..."
//! host = "ind.idv.hyperverge.co" # optional
//!
//! base_url = "http://127.0.0.1:8080" # optional, for every vendor
//! ```
//!
//! Secrets never come from command-line arguments, which other users can
//! read in the process list and which shells keep in their history.

use std::path::{Path, PathBuf};

use idv_delete_blocking::{HyperVergeCredentials, JumioCredentials, Region};
use serde::Deserialize;

use crate::failure::Failure;

/// The config file's contents; every part is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Base URL for every vendor.
    base_url: Option<String>,
    jumio: Option<JumioSection>,
    hyperverge: Option<HypervergeSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JumioSection {
    api_token: Option<String>,
    api_secret: Option<String>,
    user_agent: Option<String>,
    region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HypervergeSection {
    app_id: Option<String>,
    app_key: Option<String>,
    host: Option<String>,
}

/// The loaded configuration and where it came from.
#[derive(Debug, Default)]
pub struct Config {
    file: FileConfig,
    path: Option<PathBuf>,
}

impl Config {
    /// Loads `explicit`, else `$IDV_DELETE_CONFIG`, else the default path if
    /// it exists. Warns on stderr when the file is readable by others.
    pub fn load(explicit: Option<&Path>) -> Result<Config, Failure> {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => match std::env::var_os("IDV_DELETE_CONFIG") {
                Some(path) => Some(PathBuf::from(path)),
                None => default_path().filter(|p| p.exists()),
            },
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::config(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
        })?;
        warn_if_readable_by_others(&path);
        let file = toml::from_str(&text).map_err(|e| {
            // toml's message quotes the offending line, which may hold a
            // secret: keep only its first line (position and reason).
            let reason = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_owned();
            Failure::config(format!(
                "the config file {} is not valid: {reason}",
                path.display()
            ))
        })?;
        Ok(Config {
            file,
            path: Some(path),
        })
    }

    fn source(&self) -> String {
        match &self.path {
            Some(path) => format!("the config file {}", path.display()),
            None => "a config file (--config)".to_owned(),
        }
    }

    /// The base URL: the command line's, else the file's.
    pub fn base_url(&self, from_args: Option<&str>) -> Option<String> {
        from_args
            .map(str::to_owned)
            .or_else(|| self.file.base_url.clone())
    }

    /// The HyperVerge host override from the file.
    pub fn hyperverge_host(&self) -> Option<&str> {
        self.file.hyperverge.as_ref()?.host.as_deref()
    }

    /// The default Jumio region from the file.
    pub fn jumio_region(&self) -> Result<Option<Region>, Failure> {
        match self.file.jumio.as_ref().and_then(|j| j.region.as_deref()) {
            None => Ok(None),
            Some(name) => name
                .parse()
                .map(Some)
                .map_err(|e: idv_delete_blocking::DeleteError| Failure::config(e.to_string())),
        }
    }

    /// Jumio credentials from `JUMIO_API_TOKEN`, `JUMIO_API_SECRET`,
    /// `JUMIO_USER_AGENT`, each falling back to the file.
    pub fn jumio(&self) -> Result<JumioCredentials, Failure> {
        let section = self.file.jumio.as_ref();
        let token = pick(
            "JUMIO_API_TOKEN",
            section.and_then(|s| s.api_token.as_deref()),
        );
        let secret = pick(
            "JUMIO_API_SECRET",
            section.and_then(|s| s.api_secret.as_deref()),
        );
        let agent = pick(
            "JUMIO_USER_AGENT",
            section.and_then(|s| s.user_agent.as_deref()),
        );
        match (token, secret, agent) {
            (Some(token), Some(secret), Some(agent)) => {
                JumioCredentials::new(&token, &secret, &agent)
                    .map_err(|e| Failure::config(e.to_string()))
            }
            (token, secret, agent) => {
                let missing: Vec<&str> = [
                    (token.is_none(), "JUMIO_API_TOKEN"),
                    (secret.is_none(), "JUMIO_API_SECRET"),
                    (agent.is_none(), "JUMIO_USER_AGENT"),
                ]
                .into_iter()
                .filter_map(|(absent, name)| absent.then_some(name))
                .collect();
                Err(Failure::config(format!(
                    "missing Jumio credentials: set {} in the environment, or api_token, api_secret and user_agent under [jumio] in {}",
                    missing.join(", "),
                    self.source()
                )))
            }
        }
    }

    /// HyperVerge credentials from `HYPERVERGE_APP_ID`, `HYPERVERGE_APP_KEY`,
    /// each falling back to the file.
    pub fn hyperverge(&self) -> Result<HyperVergeCredentials, Failure> {
        let section = self.file.hyperverge.as_ref();
        let id = pick(
            "HYPERVERGE_APP_ID",
            section.and_then(|s| s.app_id.as_deref()),
        );
        let key = pick(
            "HYPERVERGE_APP_KEY",
            section.and_then(|s| s.app_key.as_deref()),
        );
        match (id, key) {
            (Some(id), Some(key)) => {
                HyperVergeCredentials::new(&id, &key).map_err(|e| Failure::config(e.to_string()))
            }
            (id, key) => {
                let missing: Vec<&str> = [
                    (id.is_none(), "HYPERVERGE_APP_ID"),
                    (key.is_none(), "HYPERVERGE_APP_KEY"),
                ]
                .into_iter()
                .filter_map(|(absent, name)| absent.then_some(name))
                .collect();
                Err(Failure::config(format!(
                    "missing HyperVerge credentials: set {} in the environment, or app_id and app_key under [hyperverge] in {}",
                    missing.join(", "),
                    self.source()
                )))
            }
        }
    }
}

/// An environment variable (if set and non-empty), else the file's value.
fn pick(variable: &str, from_file: Option<&str>) -> Option<String> {
    std::env::var(variable)
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| from_file.map(str::to_owned))
}

fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("idv-delete").join("config.toml"))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path) {
        let mode = metadata.permissions().mode();
        if mode & 0o077 != 0 {
            eprintln!(
                "warning: the config file {} holds credentials and is readable by others (mode {:o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
