//! What the unit tests share: a small deterministic random generator, so a randomized test
//! reproduces its failures from its seed.

/// The seed most randomized tests start from (2^64 / the golden ratio).
pub(crate) const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Marsaglia's xorshift64 (shifts 13, 7, 17): fast, deterministic, and good enough to pick test
/// inputs; not for anything else.
pub(crate) struct Xorshift(u64);

impl Xorshift {
    /// A generator starting from `seed`, which must not be 0 (xorshift stays at 0).
    pub(crate) fn new(seed: u64) -> Self {
        assert_ne!(seed, 0, "xorshift needs a non-zero seed");
        Self(seed)
    }

    /// The next number.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The number [`next`](Self::next) returned last (the seed before the first call), without
    /// moving on.
    pub(crate) fn last(&self) -> u64 {
        self.0
    }

    /// The next number below `n` (not 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_xorshift64_from_the_seed() {
        let mut rng = Xorshift::new(SEED);
        assert_eq!(rng.last(), SEED);
        assert_eq!(
            [rng.next(), rng.next(), rng.next()],
            [
                0xdc1b_77ae_0bf3_4dad,
                0x64f0_eeb9_026e_6076,
                0x7b07_ce91_e590_6136
            ]
        );
        assert_eq!(rng.last(), 0x7b07_ce91_e590_6136);
        assert_eq!(
            Xorshift(SEED).below(10),
            (0xdc1b_77ae_0bf3_4dad_u64 % 10) as usize
        );
    }
}
