//! The harness's random numbers: proptest's ChaCha generator, seeded from (seed, case), so
//! that a case can be replayed from its two numbers alone.

use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// A seeded random number generator with the few draws the harness needs.
pub struct Rng(pub TestRng);

impl Rng {
    /// The generator of case `index` of the run seeded with `seed`.
    pub fn for_case(seed: u64, index: u64) -> Rng {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&index.to_le_bytes());
        key[16..24].copy_from_slice(b"cartpk-f");
        Rng(TestRng::from_seed(RngAlgorithm::ChaCha, &key))
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "below(0) has no value to give");
        (self.0.next_u64() % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p_percent` / 100.
    pub fn chance(&mut self, p_percent: usize) -> bool {
        self.below(100) < p_percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random byte.
    pub fn byte(&mut self) -> u8 {
        self.0.next_u32() as u8
    }
}
