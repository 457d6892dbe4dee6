//! Credentials as secret types, and the Jumio User-Agent.
//!
//! Secrets are held in [`secrecy::SecretString`] (zeroized on drop) and print
//! as `[redacted]` in `Debug` and `Display`. They are exposed only where a
//! request is built (the `request` and `token` modules), which mark the
//! header values made from them sensitive; an access token is held as a
//! [`Secret`] too. The one copy we cannot wipe is the `http::HeaderValue` inside a
//! built request: drop requests promptly.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{DeleteError, ErrorKind};
use crate::intent::Vendor;

/// Longest accepted credential part, in bytes.
const MAX_SECRET_LEN: usize = 4096;
/// Longest accepted User-Agent, in bytes.
pub const MAX_USER_AGENT: usize = 256;

/// One secret value: redacted when printed, zeroized when dropped.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps `value`, checking it can travel in an HTTP header: non-empty,
    /// bounded, visible ASCII without spaces. `what` names it in errors
    /// (the value itself is never shown).
    pub(crate) fn new(what: &str, value: &str) -> Result<Secret, DeleteError> {
        let invalid = |why: &str| {
            DeleteError::new(
                ErrorKind::InvalidConfig,
                format!("{what} {why}; copy it again from the vendor's portal"),
            )
        };
        if value.is_empty() {
            return Err(invalid("is empty"));
        }
        if value.len() > MAX_SECRET_LEN {
            return Err(invalid("is longer than 4096 bytes"));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "contains a space, control or non-ASCII character (often a stray newline)",
            ));
        }
        Ok(Secret(SecretString::from(value)))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The User-Agent Jumio requires, naming the customer's business
/// (for example `"Acme KYC-Cleaner/1.0"`). Not a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct UserAgent(Box<str>);

impl UserAgent {
    /// Validates a User-Agent: 1–256 printable ASCII characters, not starting
    /// or ending with a space. Jumio answers 403 to missing or suspicious ones,
    /// so we refuse them before any request.
    pub fn new(value: &str) -> Result<UserAgent, DeleteError> {
        let invalid = |why: &str| {
            DeleteError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "User-Agent {:?} {why}; Jumio requires a User-Agent naming your business, such as \"Acme KYC-Cleaner/1.0\"",
                    crate::intent::bounded_for_display(value)
                ),
            )
        };
        if value.trim().is_empty() {
            return Err(invalid("is empty"));
        }
        if value.len() > MAX_USER_AGENT {
            return Err(invalid("is longer than 256 characters"));
        }
        if !value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return Err(invalid("contains a control or non-ASCII character"));
        }
        if value.starts_with(' ') || value.ends_with(' ') {
            return Err(invalid("starts or ends with a space"));
        }
        Ok(UserAgent(value.into()))
    }

    /// The validated value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UserAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserAgent({:?})", &*self.0)
    }
}

/// Jumio API credentials (ideally the separate "transaction administration"
/// pair Jumio recommends for deletion) and the required User-Agent.
#[derive(Clone)]
pub struct JumioCredentials {
    pub(crate) token: Secret,
    pub(crate) secret: Secret,
    pub(crate) user_agent: UserAgent,
}

impl JumioCredentials {
    /// Validates all three parts; there is no way to build Jumio credentials
    /// without a User-Agent. The token may not contain `:` (RFC 7617).
    pub fn new(
        api_token: &str,
        api_secret: &str,
        user_agent: &str,
    ) -> Result<JumioCredentials, DeleteError> {
        let token = Secret::new("the Jumio API token", api_token)?;
        if api_token.contains(':') {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                "the Jumio API token contains ':', which Basic authentication cannot carry; check that token and secret are not swapped or joined",
            ));
        }
        Ok(JumioCredentials {
            token,
            secret: Secret::new("the Jumio API secret", api_secret)?,
            user_agent: UserAgent::new(user_agent)?,
        })
    }

    /// The User-Agent sent with every request.
    pub fn user_agent(&self) -> &UserAgent {
        &self.user_agent
    }
}

impl fmt::Debug for JumioCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JumioCredentials")
            .field("token", &self.token)
            .field("secret", &self.secret)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// Jumio Platform OAuth2 client credentials (a client id and secret from
/// the Jumio portal's API credentials) and the required User-Agent. They
/// are exchanged for short-lived access tokens (see [`crate::TokenState`]);
/// the secret is sent only to the token endpoint.
#[derive(Clone)]
pub struct JumioPlatformCredentials {
    pub(crate) client_id: Secret,
    pub(crate) client_secret: Secret,
    pub(crate) user_agent: UserAgent,
}

impl JumioPlatformCredentials {
    /// Validates all three parts. The client id may not contain `:`
    /// (RFC 7617: it travels in Basic authentication to the token
    /// endpoint). The client id is treated as a secret too: printed as
    /// `[redacted]`, like everything that can erase data.
    pub fn new(
        client_id: &str,
        client_secret: &str,
        user_agent: &str,
    ) -> Result<JumioPlatformCredentials, DeleteError> {
        let client_id_secret = Secret::new("the Jumio Platform client id", client_id)?;
        if client_id.contains(':') {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                "the Jumio Platform client id contains ':', which Basic authentication cannot carry; check that client id and secret are not swapped or joined",
            ));
        }
        Ok(JumioPlatformCredentials {
            client_id: client_id_secret,
            client_secret: Secret::new("the Jumio Platform client secret", client_secret)?,
            user_agent: UserAgent::new(user_agent)?,
        })
    }

    /// The User-Agent sent with every request.
    pub fn user_agent(&self) -> &UserAgent {
        &self.user_agent
    }
}

impl fmt::Debug for JumioPlatformCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JumioPlatformCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// HyperVerge `appid` and `appkey`.
#[derive(Clone)]
pub struct HyperVergeCredentials {
    pub(crate) app_id: Secret,
    pub(crate) app_key: Secret,
}

impl HyperVergeCredentials {
    /// Validates both parts. The app id is treated as a secret too: it is
    /// half of what can erase every record.
    pub fn new(app_id: &str, app_key: &str) -> Result<HyperVergeCredentials, DeleteError> {
        Ok(HyperVergeCredentials {
            app_id: Secret::new("the HyperVerge app id", app_id)?,
            app_key: Secret::new("the HyperVerge app key", app_key)?,
        })
    }
}

impl fmt::Debug for HyperVergeCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperVergeCredentials")
            .field("app_id", &self.app_id)
            .field("app_key", &self.app_key)
            .finish()
    }
}

/// Onfido's API token, sent as `Authorization: Token token=<token>`.
#[derive(Clone)]
pub struct OnfidoCredentials {
    pub(crate) api_token: Secret,
}

impl OnfidoCredentials {
    /// Validates the API token.
    pub fn new(api_token: &str) -> Result<OnfidoCredentials, DeleteError> {
        Ok(OnfidoCredentials {
            api_token: Secret::new("the Onfido API token", api_token)?,
        })
    }
}

/// Persona's API key, sent as `Authorization: Bearer <key>`.
#[derive(Clone)]
pub struct PersonaCredentials {
    pub(crate) api_key: Secret,
}

impl PersonaCredentials {
    /// Validates the API key.
    pub fn new(api_key: &str) -> Result<PersonaCredentials, DeleteError> {
        Ok(PersonaCredentials {
            api_key: Secret::new("the Persona API key", api_key)?,
        })
    }
}

/// A Stripe secret (`sk_...`) or restricted (`rk_...`) key, sent as
/// `Authorization: Bearer <key>`.
#[derive(Clone)]
pub struct StripeCredentials {
    pub(crate) secret_key: Secret,
}

impl StripeCredentials {
    /// Validates the key: a publishable key (`pk_...`) cannot redact, so
    /// only secret and restricted keys are accepted.
    pub fn new(secret_key: &str) -> Result<StripeCredentials, DeleteError> {
        let key = Secret::new("the Stripe secret key", secret_key)?;
        if !(secret_key.starts_with("sk_") || secret_key.starts_with("rk_")) {
            return Err(DeleteError::new(
                ErrorKind::InvalidConfig,
                "the Stripe secret key does not start with sk_ or rk_; a publishable key (pk_) cannot redact: use a secret or restricted key",
            ));
        }
        Ok(StripeCredentials { secret_key: key })
    }
}

/// Veriff's API key (`X-AUTH-CLIENT`) and the shared secret that signs
/// each request (`X-HMAC-SIGNATURE`); both from the Veriff integration
/// page.
#[derive(Clone)]
pub struct VeriffCredentials {
    pub(crate) api_key: Secret,
    pub(crate) shared_secret: Secret,
}

impl VeriffCredentials {
    /// Validates both parts.
    pub fn new(api_key: &str, shared_secret: &str) -> Result<VeriffCredentials, DeleteError> {
        Ok(VeriffCredentials {
            api_key: Secret::new("the Veriff API key", api_key)?,
            shared_secret: Secret::new("the Veriff shared secret", shared_secret)?,
        })
    }
}

macro_rules! redacted_debug {
    ($($name:ident { $($field:ident),+ }),+ $(,)?) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))+
                    .finish()
            }
        }
    )+};
}

redacted_debug!(
    OnfidoCredentials { api_token },
    PersonaCredentials { api_key },
    StripeCredentials { secret_key },
    VeriffCredentials {
        api_key,
        shared_secret
    },
);

/// The credentials of one vendor.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// Jumio token, secret and User-Agent.
    Jumio(JumioCredentials),
    /// Jumio Platform client id, client secret and User-Agent.
    JumioPlatform(JumioPlatformCredentials),
    /// HyperVerge app id and key.
    HyperVerge(HyperVergeCredentials),
    /// Onfido API token.
    Onfido(OnfidoCredentials),
    /// Persona API key.
    Persona(PersonaCredentials),
    /// Stripe secret key.
    Stripe(StripeCredentials),
    /// Veriff API key and shared secret.
    Veriff(VeriffCredentials),
}

impl Credentials {
    /// The vendor these credentials are for.
    pub fn vendor(&self) -> Vendor {
        match self {
            Credentials::Jumio(_) => Vendor::Jumio,
            Credentials::JumioPlatform(_) => Vendor::JumioPlatform,
            Credentials::HyperVerge(_) => Vendor::HyperVerge,
            Credentials::Onfido(_) => Vendor::Onfido,
            Credentials::Persona(_) => Vendor::Persona,
            Credentials::Stripe(_) => Vendor::Stripe,
            Credentials::Veriff(_) => Vendor::Veriff,
        }
    }

    /// A fingerprint of the credential's public identifier, so a journal
    /// can show which vendor account a run used (and two runs be tied to
    /// the same account) without holding the identifier itself: the
    /// lowercase hex of the first 16 bytes of SHA-256 over
    /// `"idv-delete credential v1\0" + vendor name + "\0" + public id`.
    ///
    /// The public identifier is the one the vendor shows beside its secret:
    /// Jumio's API token (the Basic user name), the Jumio Platform's client
    /// id, HyperVerge's app id, Veriff's API key (`X-AUTH-CLIENT`). Onfido,
    /// Persona and Stripe authenticate with a secret alone, which is never
    /// hashed (a hash of a secret could be checked against a guess): `None`.
    /// The vendor name in the hash keeps equal ids of two vendors apart;
    /// the truncation to 128 bits is ample to tell accounts apart and
    /// reveals less.
    pub fn public_id_fingerprint(&self) -> Option<String> {
        use sha2::{Digest, Sha256};
        let public_id = match self {
            Credentials::Jumio(c) => &c.token,
            Credentials::JumioPlatform(c) => &c.client_id,
            Credentials::HyperVerge(c) => &c.app_id,
            Credentials::Veriff(c) => &c.api_key,
            Credentials::Onfido(_) | Credentials::Persona(_) | Credentials::Stripe(_) => {
                return None
            }
        };
        let mut hasher = Sha256::new();
        hasher.update(b"idv-delete credential v1\0");
        hasher.update(self.vendor().as_str().as_bytes());
        hasher.update(b"\0");
        hasher.update(public_id.expose().as_bytes());
        let digest = hasher.finalize();
        Some(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl From<JumioCredentials> for Credentials {
    fn from(c: JumioCredentials) -> Credentials {
        Credentials::Jumio(c)
    }
}

impl From<JumioPlatformCredentials> for Credentials {
    fn from(c: JumioPlatformCredentials) -> Credentials {
        Credentials::JumioPlatform(c)
    }
}

impl From<HyperVergeCredentials> for Credentials {
    fn from(c: HyperVergeCredentials) -> Credentials {
        Credentials::HyperVerge(c)
    }
}

macro_rules! into_credentials {
    ($($variant:ident($name:ident)),+ $(,)?) => {$(
        impl From<$name> for Credentials {
            fn from(c: $name) -> Credentials {
                Credentials::$variant(c)
            }
        }
    )+};
}

into_credentials!(
    Onfido(OnfidoCredentials),
    Persona(PersonaCredentials),
    Stripe(StripeCredentials),
    Veriff(VeriffCredentials),
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected values were computed apart, with Python's hashlib:
    /// `sha256(b"idv-delete credential v1\0" + vendor + b"\0" + id)[:16]`.
    #[test]
    fn fingerprints_name_the_public_id_per_vendor_and_never_a_lone_secret() {
        let jumio: Credentials = JumioCredentials::new("tok-123", "s3cret", "Acme/1.0")
            .unwrap()
            .into();
        let veriff: Credentials = VeriffCredentials::new("tok-123", "s3cret").unwrap().into();
        assert_eq!(
            jumio.public_id_fingerprint().as_deref(),
            Some("e849a0ee32e32515205482356f4362b0")
        );
        assert_eq!(
            veriff.public_id_fingerprint().as_deref(),
            Some("0a5bf229d2fcfa1463cef21397814992")
        );
        let other_secret: Credentials = JumioCredentials::new("tok-123", "other", "Acme/1.0")
            .unwrap()
            .into();
        assert_eq!(
            other_secret.public_id_fingerprint(),
            jumio.public_id_fingerprint()
        );
        let lone_secrets: [Credentials; 3] = [
            OnfidoCredentials::new("tok-123").unwrap().into(),
            PersonaCredentials::new("tok-123").unwrap().into(),
            StripeCredentials::new("sk_test_tok123").unwrap().into(),
        ];
        for credentials in lone_secrets {
            assert_eq!(credentials.public_id_fingerprint(), None);
        }
    }
}
