//! "Did you mean …?": the closest known name to a mistyped one (edit distance with transpositions, from
//! `strsim`), shared by every command that takes a scenario, demo, lab or lesson name.

/// The candidate closest to `word`, if it is close enough to be a typo of it: at most 3 edits,
/// and fewer edits than half the word's length (so `99` never "means" `udp`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, _)| *d <= 3 && d * 2 < len.max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_get_a_suggestion_and_unrelated_words_none() {
        let names = ["tcp-echo", "udp", "tcp-hello", "01-intro"];
        assert_eq!(closest("tcp-ecoh", names), Some("tcp-echo"));
        assert_eq!(closest("tcp-helo", names), Some("tcp-hello"));
        assert_eq!(closest("udpp", names), Some("udp"));
        assert_eq!(closest("upd", names), Some("udp"));
        assert_eq!(closest("99", names), None);
        assert_eq!(closest("zzzzzzzzzz", names), None);
    }
}
