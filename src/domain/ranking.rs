//! Monthly ranking of districts or projects by absorption (confirmed ÷ stock): equal rates share
//! a rank, and the entities tied at the bottom are "last" unless every entity is equal.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Per entity and month: (confirmed, stock); ranks with ties, and who is last.
pub fn rank_month(
    entities: &BTreeMap<String, (String, i64)>,
    confirmed: &BTreeMap<String, i64>,
) -> Vec<(String, usize, bool, i64)> {
    let mut v: Vec<(String, i64, i64)> = entities
        .iter()
        .map(|(k, (_, stock))| (k.clone(), confirmed.get(k).copied().unwrap_or(0), *stock))
        .collect();
    // a/b > c/d ⇔ a·d > c·b (stocks are positive)
    let cmp = |a: &(String, i64, i64), b: &(String, i64, i64)| {
        (i128::from(b.1) * i128::from(a.2)).cmp(&(i128::from(a.1) * i128::from(b.2)))
    };
    v.sort_by(|a, b| cmp(a, b).then_with(|| a.0.cmp(&b.0)));
    let all_equal = v.windows(2).all(|w| cmp(&w[0], &w[1]) == Ordering::Equal);
    let mut out = Vec::with_capacity(v.len());
    let mut rank = 0;
    for (i, item) in v.iter().enumerate() {
        if i == 0 || cmp(&v[i - 1], item) != Ordering::Equal {
            rank = i + 1;
        }
        let last = !all_equal && cmp(item, v.last().expect("non-empty")) == Ordering::Equal;
        out.push((item.0.clone(), rank, last, item.1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_and_all_tied_last_are_last() {
        let entities: BTreeMap<String, (String, i64)> = [("a", 10), ("b", 20), ("c", 10), ("d", 5)]
            .into_iter()
            .map(|(k, s)| (k.to_string(), (k.to_string(), s)))
            .collect();
        // a 2/10, b 4/20 (tie with a), c 0/10, d 0/5 (tie with c at the bottom)
        let confirmed: BTreeMap<String, i64> = [("a", 2), ("b", 4)]
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        let r = rank_month(&entities, &confirmed);
        let got: Vec<(&str, usize, bool)> = r
            .iter()
            .map(|(k, rank, last, _)| (k.as_str(), *rank, *last))
            .collect();
        assert_eq!(
            got,
            [
                ("a", 1, false),
                ("b", 1, false),
                ("c", 3, true),
                ("d", 3, true)
            ]
        );
        // when every entity is equal nobody is last
        let r = rank_month(&entities, &BTreeMap::new());
        assert!(r.iter().all(|(_, rank, last, _)| *rank == 1 && !*last));
    }
}
