//! Credentials and defaults: the environment first, then a TOML file.
//!
//! ```toml
//! # ~/.config/idv-delete/config.toml (chmod 600: it can erase everything)
//! base_url = "http://127.0.0.1:8080" # optional, for every vendor (before any [section])
//!
//! [jumio]
//! api_token = "..."
//! api_secret = "..."
//! user_agent = "Acme KYC-Cleaner/1.0"
//! region = "eu"                 # default for `idv-delete jumio`
//!
//! [jumio-platform]               # the Jumio Platform (KYX), OAuth2
//! client_id = "..."
//! client_secret = "..."
//! user_agent = "Acme KYC-Cleaner/1.0" # optional: else [jumio]'s
//! region = "eu"                 # optional: else [jumio]'s
//!
//! [hyperverge]
//! app_id = "..."
//! app_key = "..."
//! host = "ind.idv.hyperverge.co" # optional
//!
//! [onfido]
//! api_token = "..."
//! region = "eu"                 # default for `idv-delete onfido`: eu, us or ca
//!
//! [persona]
//! api_key = "..."
//!
//! [stripe]
//! secret_key = "sk_live_..."
//!
//! [veriff]
//! api_key = "..."
//! shared_secret = "..."
//! base_url = "https://stationapi.veriff.com" # optional: your integration's
//!
//! [windows]                      # optional: request windows for `batch`
//! veriff = ["5/3600", "10/86400"] # COUNT/SECONDS each; replaces the documented ones
//! jumio-platform = []            # an empty list lifts the vendor's windows
//! ```
//!
//! A `--window` for a vendor replaces the file's windows for that vendor.
//!
//! Secrets never come from command-line arguments, which other users can
//! read in the process list and which shells keep in their history.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use idv_delete_blocking::core::Credentials;
use idv_delete_blocking::{
    HyperVergeCredentials, JumioCredentials, JumioPlatformCredentials, OnfidoCredentials,
    OnfidoRegion, PersonaCredentials, Region, StripeCredentials, Vendor, VeriffCredentials, Window,
};
use serde::Deserialize;

use crate::failure::Failure;

/// The config file's contents; every part is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Base URL for every vendor.
    base_url: Option<String>,
    jumio: Option<JumioSection>,
    #[serde(rename = "jumio-platform")]
    jumio_platform: Option<JumioPlatformSection>,
    hyperverge: Option<HypervergeSection>,
    onfido: Option<OnfidoSection>,
    persona: Option<PersonaSection>,
    stripe: Option<StripeSection>,
    veriff: Option<VeriffSection>,
    /// Request windows by vendor name, each `COUNT/SECONDS`.
    windows: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OnfidoSection {
    api_token: Option<String>,
    region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonaSection {
    api_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StripeSection {
    secret_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VeriffSection {
    api_key: Option<String>,
    shared_secret: Option<String>,
    base_url: Option<String>,
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
struct JumioPlatformSection {
    client_id: Option<String>,
    client_secret: Option<String>,
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
        parse_region(self.file.jumio.as_ref().and_then(|j| j.region.as_deref()))
    }

    /// The default Jumio Platform region from the file: its own, else the
    /// `[jumio]` one (a customer's data usually lives in one region).
    pub fn jumio_platform_region(&self) -> Result<Option<Region>, Failure> {
        match self
            .file
            .jumio_platform
            .as_ref()
            .and_then(|p| p.region.as_deref())
        {
            Some(name) => parse_region(Some(name)),
            None => self.jumio_region(),
        }
    }

    /// The default Onfido region from the file (`region` under `[onfido]`).
    pub fn onfido_region(&self) -> Result<Option<OnfidoRegion>, Failure> {
        match self.file.onfido.as_ref().and_then(|o| o.region.as_deref()) {
            None => Ok(None),
            Some(name) => name
                .parse()
                .map(Some)
                .map_err(|e: idv_delete_blocking::DeleteError| Failure::config(e.to_string())),
        }
    }

    /// The base URL of the customer's Veriff integration (Veriff gives
    /// each its own, on the integration's page): `VERIFF_BASE_URL`, else
    /// `base_url` under `[veriff]`; `None` means Veriff's documented host.
    pub fn veriff_base_url(&self) -> Option<String> {
        pick(
            "VERIFF_BASE_URL",
            self.file
                .veriff
                .as_ref()
                .and_then(|v| v.base_url.as_deref()),
        )
    }

    /// The request windows of the file's `[windows]` table, by vendor (an
    /// empty list lifts the vendor's windows); a bad vendor name or window
    /// is refused by name.
    pub fn windows(&self) -> Result<BTreeMap<Vendor, Vec<Window>>, Failure> {
        let mut windows = BTreeMap::new();
        for (name, specs) in self.file.windows.iter().flatten() {
            let bad = |why: String| {
                Failure::config(format!(
                    "{name} under [windows] in {}: {why}",
                    self.source()
                ))
            };
            let vendor: Vendor = name
                .parse()
                .map_err(|e: idv_delete_blocking::DeleteError| bad(e.detail().to_owned()))?;
            let parsed = specs
                .iter()
                .map(|spec| crate::args::parse_window(spec).map_err(bad))
                .collect::<Result<Vec<_>, _>>()?;
            windows.insert(vendor, parsed);
        }
        Ok(windows)
    }

    /// The credentials of `vendor`: the one table the client is built from.
    pub fn credentials(&self, vendor: Vendor) -> Result<Credentials, Failure> {
        Ok(match vendor {
            Vendor::Jumio => self.jumio()?.into(),
            Vendor::JumioPlatform => self.jumio_platform()?.into(),
            Vendor::HyperVerge => self.hyperverge()?.into(),
            Vendor::Onfido | Vendor::Persona | Vendor::Stripe | Vendor::Veriff => {
                self.keyed(vendor)?
            }
        })
    }

    /// The credentials of the vendors that take API keys: each part from
    /// its environment variable, else the file's section.
    fn keyed(&self, vendor: Vendor) -> Result<Credentials, Failure> {
        let f = &self.file;
        let (name, parts, file_keys): (&str, Vec<(&str, Option<&str>)>, &str) = match vendor {
            Vendor::Onfido => (
                "Onfido",
                vec![(
                    "ONFIDO_API_TOKEN",
                    f.onfido.as_ref().and_then(|s| s.api_token.as_deref()),
                )],
                "api_token under [onfido]",
            ),
            Vendor::Persona => (
                "Persona",
                vec![(
                    "PERSONA_API_KEY",
                    f.persona.as_ref().and_then(|s| s.api_key.as_deref()),
                )],
                "api_key under [persona]",
            ),
            Vendor::Stripe => (
                "Stripe",
                vec![(
                    "STRIPE_SECRET_KEY",
                    f.stripe.as_ref().and_then(|s| s.secret_key.as_deref()),
                )],
                "secret_key under [stripe]",
            ),
            _ => (
                "Veriff",
                vec![
                    (
                        "VERIFF_API_KEY",
                        f.veriff.as_ref().and_then(|s| s.api_key.as_deref()),
                    ),
                    (
                        "VERIFF_SHARED_SECRET",
                        f.veriff.as_ref().and_then(|s| s.shared_secret.as_deref()),
                    ),
                ],
                "api_key and shared_secret under [veriff]",
            ),
        };
        let values: Vec<Option<String>> = parts
            .iter()
            .map(|(variable, file)| pick(variable, *file))
            .collect();
        if values.iter().any(Option::is_none) {
            let absent: Vec<(bool, &str)> = parts
                .iter()
                .zip(&values)
                .map(|((variable, _), value)| (value.is_none(), *variable))
                .collect();
            return Err(self.missing(name, &absent, file_keys));
        }
        let values: Vec<String> = values.into_iter().flatten().collect();
        let credentials: Result<Credentials, _> = match vendor {
            Vendor::Onfido => OnfidoCredentials::new(&values[0]).map(Credentials::from),
            Vendor::Persona => PersonaCredentials::new(&values[0]).map(Credentials::from),
            Vendor::Stripe => StripeCredentials::new(&values[0]).map(Credentials::from),
            _ => VeriffCredentials::new(&values[0], &values[1]).map(Credentials::from),
        };
        credentials.map_err(|e| Failure::config(e.to_string()))
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
            (token, secret, agent) => Err(self.missing(
                "Jumio",
                &[
                    (token.is_none(), "JUMIO_API_TOKEN"),
                    (secret.is_none(), "JUMIO_API_SECRET"),
                    (agent.is_none(), "JUMIO_USER_AGENT"),
                ],
                "api_token, api_secret and user_agent under [jumio]",
            )),
        }
    }

    /// Jumio Platform credentials from `JUMIO_CLIENT_ID`,
    /// `JUMIO_CLIENT_SECRET` and `JUMIO_USER_AGENT` (the variable Netverify
    /// v2 uses too: one company, one User-Agent), each falling back to the
    /// file's `[jumio-platform]` section, the User-Agent then to `[jumio]`.
    pub fn jumio_platform(&self) -> Result<JumioPlatformCredentials, Failure> {
        let section = self.file.jumio_platform.as_ref();
        let id = pick(
            "JUMIO_CLIENT_ID",
            section.and_then(|s| s.client_id.as_deref()),
        );
        let secret = pick(
            "JUMIO_CLIENT_SECRET",
            section.and_then(|s| s.client_secret.as_deref()),
        );
        let agent = pick(
            "JUMIO_USER_AGENT",
            section.and_then(|s| s.user_agent.as_deref()).or_else(|| {
                self.file
                    .jumio
                    .as_ref()
                    .and_then(|j| j.user_agent.as_deref())
            }),
        );
        match (id, secret, agent) {
            (Some(id), Some(secret), Some(agent)) => {
                JumioPlatformCredentials::new(&id, &secret, &agent)
                    .map_err(|e| Failure::config(e.to_string()))
            }
            (id, secret, agent) => Err(self.missing(
                "Jumio Platform",
                &[
                    (id.is_none(), "JUMIO_CLIENT_ID"),
                    (secret.is_none(), "JUMIO_CLIENT_SECRET"),
                    (agent.is_none(), "JUMIO_USER_AGENT"),
                ],
                "client_id, client_secret and user_agent under [jumio-platform]",
            )),
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
            (id, key) => Err(self.missing(
                "HyperVerge",
                &[
                    (id.is_none(), "HYPERVERGE_APP_ID"),
                    (key.is_none(), "HYPERVERGE_APP_KEY"),
                ],
                "app_id and app_key under [hyperverge]",
            )),
        }
    }

    /// The error for credentials that are not all set: the variables
    /// missing (`absent`, name), and the file's keys that can stand in.
    fn missing(&self, vendor: &str, variables: &[(bool, &str)], file_keys: &str) -> Failure {
        let missing: Vec<&str> = variables
            .iter()
            .filter_map(|&(absent, name)| absent.then_some(name))
            .collect();
        Failure::config(format!(
            "missing {vendor} credentials: set {} in the environment, or {file_keys} in {}",
            missing.join(", "),
            self.source()
        ))
    }
}

/// A region name from the config file.
fn parse_region(name: Option<&str>) -> Result<Option<Region>, Failure> {
    match name {
        None => Ok(None),
        Some(name) => name
            .parse()
            .map(Some)
            .map_err(|e: idv_delete_blocking::DeleteError| Failure::config(e.to_string())),
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
