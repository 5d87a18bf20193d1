//! Writing: replace, delete, rebuild, the commit payload and reopening from disk.

use super::corpus::docs;
use crate::search::{ListingQuery, SearchIndex};

fn by_text(index: &SearchIndex, q: &str) -> Vec<i64> {
    let query = ListingQuery {
        q: Some(q.into()),
        limit: 100,
        ..Default::default()
    };
    index
        .search(&query)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.doc.unit_id)
        .collect()
}

#[test]
fn apply_replaces_updated_units_and_removes_deleted_ones() {
    let index = SearchIndex::create_in_ram().unwrap();
    let corpus = docs();
    index.apply(&corpus, &[], 1).unwrap();
    assert_eq!(index.num_docs(), 32);

    let mut changed = corpus[0].clone();
    changed.description = "顶层复式带露台".into();
    let gone = corpus[1].unit_id;
    index
        .apply(&[changed.clone(), changed.clone()], &[gone], 2)
        .unwrap();

    assert_eq!(index.num_docs(), 31);
    assert_eq!(index.get(changed.unit_id).unwrap(), Some(changed.clone()));
    assert_eq!(index.get(gone).unwrap(), None);
    assert_eq!(by_text(&index, "露台"), vec![changed.unit_id]);
    let mut want: Vec<i64> = corpus
        .iter()
        .map(|d| d.unit_id)
        .filter(|&id| id != gone)
        .collect();
    want.sort_unstable();
    assert_eq!(index.all_unit_ids().unwrap(), want);
    assert_eq!(index.applied_seq(), 2);
}

#[test]
fn clear_and_rebuild_keeps_only_the_new_documents() {
    let index = SearchIndex::create_in_ram().unwrap();
    index.apply(&docs(), &[], 5).unwrap();
    let reported = std::cell::Cell::new(0);
    let fresh = docs().into_iter().take(3);
    index
        .clear_and_rebuild(fresh, 9, &|n| reported.set(n))
        .unwrap();
    assert_eq!(index.num_docs(), 3);
    assert_eq!(reported.get(), 3);
    assert_eq!(index.applied_seq(), 9);
}

#[test]
fn applied_seq_survives_reopening_and_a_foreign_schema_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        assert_eq!(index.applied_seq(), 0);
        index.apply(&docs(), &[], 42).unwrap();
    }
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(index.applied_seq(), 42);
    assert_eq!(index.num_docs(), 32);
    assert_eq!(by_text(&index, "锦园华苑").len(), 8);
    drop(index);

    let other = tempfile::tempdir().unwrap();
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field("title", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(other.path(), b.build()).unwrap();
    let index = SearchIndex::open_or_create(&other.path().join(".")).unwrap();
    assert_eq!((index.num_docs(), index.applied_seq()), (0, 0));
    index.apply(&docs(), &[], 7).unwrap();
    assert_eq!(index.num_docs(), 32);
}

#[test]
fn an_index_from_another_analysis_version_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    SearchIndex::open_or_create(dir.path())
        .unwrap()
        .apply(&docs(), &[], 3)
        .unwrap();
    {
        // what an older build would have left: same schema, payload without the analysis version
        let index = tantivy::Index::open_in_dir(dir.path()).unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(r#"{"applied_seq":3}"#);
        commit.commit().unwrap();
    }
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!((index.num_docs(), index.applied_seq()), (0, 0));
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SearchIndex>();
}
