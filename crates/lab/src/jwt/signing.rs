//! Which algorithm signs the lab's access tokens.

use std::fmt;
use std::str::FromStr;

use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};

use crate::config::{ParseNameError, normalize};

/// How the lab signs access JWTs. Keys are generated at start (HS256: a random secret
/// unless [`crate::LabConfig::jwt_secret`] fixes it) and shared by every replica.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Signing {
    /// HMAC-SHA256 with a shared secret; the JWKS is empty.
    #[default]
    Hs256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, RSA 2048.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519.
    #[serde(rename = "eddsa")]
    EdDsa,
}

impl Signing {
    pub const ALL: [Signing; 4] = [
        Signing::Hs256,
        Signing::Rs256,
        Signing::Es256,
        Signing::EdDsa,
    ];

    /// `hs256`, `rs256`, `es256`, `eddsa`: the CLI's names, also used in kids.
    pub fn as_str(self) -> &'static str {
        match self {
            Signing::Hs256 => "hs256",
            Signing::Rs256 => "rs256",
            Signing::Es256 => "es256",
            Signing::EdDsa => "eddsa",
        }
    }

    /// The JWS `alg` value: `HS256`, `RS256`, `ES256`, `EdDSA`.
    pub fn alg(self) -> &'static str {
        match self {
            Signing::Hs256 => "HS256",
            Signing::Rs256 => "RS256",
            Signing::Es256 => "ES256",
            Signing::EdDsa => "EdDSA",
        }
    }

    /// A public-key algorithm: a JWKS and a public key PEM to serve.
    pub fn is_asymmetric(self) -> bool {
        self != Signing::Hs256
    }

    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            Signing::Hs256 => Algorithm::HS256,
            Signing::Rs256 => Algorithm::RS256,
            Signing::Es256 => Algorithm::ES256,
            Signing::EdDsa => Algorithm::EdDSA,
        }
    }
}

impl fmt::Display for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Signing {
    type Err = ParseNameError;

    /// The CLI names, case-insensitive; the JWS names (`RS256`, `EdDSA`) are the same words.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = normalize(s);
        Signing::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                ParseNameError::new("signing", s, Signing::ALL.iter().map(|m| m.as_str()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Signing::ALL {
            assert_eq!(s.as_str().parse::<Signing>(), Ok(s));
            assert_eq!(s.alg().parse::<Signing>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
            assert_eq!(s.algorithm(), s.alg().parse::<Algorithm>().unwrap());
        }
        assert_eq!(Signing::default(), Signing::Hs256);
        assert!(
            "ps256"
                .parse::<Signing>()
                .unwrap_err()
                .to_string()
                .contains("hs256, rs256, es256, eddsa")
        );
    }
}
