//! An item's identity in fixed size, and the digest of a whole input.
//!
//! Two rows are the same item when vendor, product, region and reference
//! are equal: deleting the second would only earn a 404 that contradicts
//! the first's "deleted". A batch and the CLI tell duplicates apart by an
//! [`ItemKey`], 16 bytes per item (byte-aligned, so a map from keys to
//! positions packs 24-byte entries), so that remembering a million items
//! costs tens of megabytes, not their strings. The key is the first half
//! of a SHA-256: two different items share one with probability about
//! 2^-128 per pair, which no input reaches.
//!
//! [`InputDigest`] hashes the items of an input in order, so that a
//! journal can record which input it was written for and `verify` can tell
//! a journal of another input, or of a shortened one.

use std::fmt;

use idv_delete_core::DeleteIntent;
use sha2::{Digest, Sha256};

/// The identity of an item: equal keys mean the same vendor, product,
/// region and reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey([u8; 16]);

impl ItemKey {
    /// The key of `intent`.
    pub fn of(intent: &DeleteIntent) -> ItemKey {
        let mut hasher = Sha256::new();
        feed(&mut hasher, intent);
        let digest = hasher.finalize();
        let mut half = [0u8; 16];
        half.copy_from_slice(&digest[..16]);
        ItemKey(half)
    }

    /// The key's first 8 bytes: equal items have equal shorts; two others
    /// share one with probability about 2^-64, so equal shorts make a
    /// candidate duplicate, to be confirmed with the whole keys. A sorted
    /// list of shorts finds the candidates of a million items in 8 MB.
    pub fn short(&self) -> u64 {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(first)
    }
}

/// Feeds the normalized identity of `intent`: its four fields, each
/// followed by a 0x1f separator (which no field may contain: references
/// refuse control characters), then a newline.
fn feed(hasher: &mut Sha256, intent: &DeleteIntent) {
    let target = intent.target();
    for part in [
        target.vendor().as_str(),
        target.product_name(),
        target.region_name().unwrap_or(""),
        intent.reference(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hasher.update(b"\n");
}

/// SHA-256 over the normalized identities of an input's items, in order,
/// and their count.
#[derive(Clone, Debug, Default)]
pub struct InputDigest {
    hasher: Sha256,
    items: u64,
}

impl InputDigest {
    /// An empty digest.
    pub fn new() -> InputDigest {
        InputDigest::default()
    }

    /// Adds the next item.
    pub fn add(&mut self, intent: &DeleteIntent) {
        feed(&mut self.hasher, intent);
        self.items += 1;
    }

    /// Items added so far.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// The digest of the items added so far, as lowercase hex.
    pub fn hex(&self) -> String {
        Hex(&self.hasher.clone().finalize()).to_string()
    }
}

/// Lowercase hex of some bytes.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use idv_delete_core::{JumioProduct, Region};

    fn jumio(region: Region, reference: &str) -> DeleteIntent {
        DeleteIntent::jumio(JumioProduct::IdVerification, region, reference).unwrap()
    }

    #[test]
    fn keys_tell_items_apart() {
        let a = jumio(Region::Eu, "abc");
        assert_eq!(ItemKey::of(&a), ItemKey::of(&a.clone()));
        assert_eq!(ItemKey::of(&a).short(), ItemKey::of(&a.clone()).short());
        assert_ne!(
            ItemKey::of(&a).short(),
            ItemKey::of(&jumio(Region::Us, "abc")).short()
        );
        assert_ne!(ItemKey::of(&a), ItemKey::of(&jumio(Region::Us, "abc")));
        assert_ne!(
            ItemKey::of(&a),
            ItemKey::of(&DeleteIntent::hyperverge("abc").unwrap())
        );
    }

    #[test]
    fn the_digest_depends_on_items_and_order() {
        let (a, b) = (jumio(Region::Eu, "a"), jumio(Region::Eu, "b"));
        let digest = |items: &[&DeleteIntent]| {
            let mut d = InputDigest::new();
            items.iter().for_each(|i| d.add(i));
            (d.items(), d.hex())
        };
        assert_eq!(digest(&[&a, &b]), digest(&[&a, &b]));
        assert_ne!(digest(&[&a, &b]).1, digest(&[&b, &a]).1);
        assert_ne!(digest(&[&a]).1, digest(&[&a, &b]).1);
        assert_eq!(digest(&[&a, &b]).0, 2);
        assert_eq!(
            InputDigest::new().hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
