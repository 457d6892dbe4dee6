//! [`RetryBudget`]: a client-wide token bucket that bounds retries.
//!
//! Per-op retries are bounded by the [`RetryPolicy`](crate::RetryPolicy), but
//! during a vendor outage every op of a batch would still multiply its load
//! by `max_attempts`. The budget, in the spirit of AWS's "standard" retry
//! mode, lets retries through while most requests succeed and stops them
//! once failures have drained it: a first attempt is always sent, only
//! retries spend tokens.

use std::sync::atomic::{AtomicU32, Ordering};

/// Tokens of a full standard bucket (AWS: 500).
pub const STANDARD_CAPACITY: u32 = 500;
/// Cost of retrying after an error other than a timeout (AWS: 5).
pub const RETRY_COST: u32 = 5;
/// Cost of retrying after a timeout (AWS: 10): a timeout costs the vendor
/// and us the most, and signals overload most clearly.
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// Refund of a success on the first attempt (AWS: 1). A success on a retry
/// refunds that retry's cost instead.
pub const SUCCESS_REFUND: u32 = 1;

/// A client-wide retry budget, shared by every deletion of a client (and its
/// clones).
///
/// Numbers of [`RetryBudget::standard`] (the default): capacity 500; a retry
/// costs 5, a retry after a timeout 10; a deletion that succeeds on its
/// first attempt refunds 1, one that succeeds on a retry refunds that
/// retry's cost. A full bucket therefore allows 100 retries (50 after
/// timeouts) in a row with no success, and refills at one token per
/// success. When the bucket cannot pay for a retry, the op ends with its
/// last error ([`DeleteOp::stop_retrying`](crate::core::DeleteOp::stop_retrying)).
#[derive(Debug)]
pub struct RetryBudget {
    /// `None`: unlimited.
    bucket: Option<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    capacity: u32,
    tokens: AtomicU32,
}

impl RetryBudget {
    /// The standard budget described on the type.
    pub fn standard() -> RetryBudget {
        RetryBudget::with_capacity(STANDARD_CAPACITY)
    }

    /// A bucket of `capacity` tokens, full at start, with the standard costs.
    /// A capacity below [`TIMEOUT_RETRY_COST`] forbids retries after timeouts.
    pub fn with_capacity(capacity: u32) -> RetryBudget {
        RetryBudget {
            bucket: Some(Bucket {
                capacity,
                tokens: AtomicU32::new(capacity),
            }),
        }
    }

    /// No client-wide limit: only the retry policy bounds retries.
    pub fn unlimited() -> RetryBudget {
        RetryBudget { bucket: None }
    }

    /// Tokens left, or `None` when unlimited.
    pub fn available(&self) -> Option<u32> {
        self.bucket
            .as_ref()
            .map(|b| b.tokens.load(Ordering::Relaxed))
    }

    /// Takes `cost` tokens if there are enough; false when the retry must not
    /// happen.
    pub(crate) fn try_spend(&self, cost: u32) -> bool {
        let Some(bucket) = &self.bucket else {
            return true;
        };
        bucket
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Gives back `amount` tokens, up to the capacity.
    pub(crate) fn refund(&self, amount: u32) {
        if let Some(bucket) = &self.bucket {
            let _ = bucket
                .tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    Some(t.saturating_add(amount).min(bucket.capacity))
                });
        }
    }
}

impl Clone for RetryBudget {
    /// A new bucket with the same capacity, full: a clone configures another
    /// client, it does not share this one's tokens.
    fn clone(&self) -> RetryBudget {
        match &self.bucket {
            Some(b) => RetryBudget::with_capacity(b.capacity),
            None => RetryBudget::unlimited(),
        }
    }
}

impl Default for RetryBudget {
    fn default() -> RetryBudget {
        RetryBudget::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spends_and_refunds_within_capacity() {
        let budget = RetryBudget::with_capacity(12);
        assert!(budget.try_spend(RETRY_COST));
        assert!(budget.try_spend(RETRY_COST));
        assert!(!budget.try_spend(RETRY_COST));
        assert_eq!(budget.available(), Some(2));
        budget.refund(100);
        assert_eq!(budget.available(), Some(12));
        assert!(RetryBudget::unlimited().try_spend(u32::MAX));
    }
}
