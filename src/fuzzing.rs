//! Structure-aware fuzzing helpers shared by the property tests: byte-level mutations of a
//! valid seed (a real HTTP request, a real lesson file), so the fuzzers spend their time near
//! valid input, where parsers have the most states.

/// One mutation: (position, byte, operation) — 0 replaces, 1 inserts, 2 deletes.
pub type Edit = (u16, u8, u8);

/// Apply `edits` to `seed`; positions wrap around the current length.
pub fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for &(at, byte, op) in edits {
        let i = usize::from(at) % (data.len() + 1);
        match op {
            0 if i < data.len() => data[i] = byte,
            1 => data.insert(i, byte),
            _ if i < data.len() => {
                data.remove(i);
            }
            _ => {}
        }
    }
    data
}

/// A proptest strategy for up to `n` edits.
pub fn edits(n: usize) -> impl proptest::strategy::Strategy<Value = Vec<Edit>> {
    use proptest::prelude::*;
    proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..3), 0..n)
}
