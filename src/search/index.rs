//! The search index: one writer behind a mutex, one manually reloaded reader.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::indexer::NoMergePolicy;
use tantivy::{
    Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use super::facets::FacetCache;
use super::schema::{self, build_schema, Fields, PinyinMemo};
use super::sort_keys::SortColumns;
use super::tokenizers::{self, jieba};
use super::{ListingDoc, SearchError};

mod reading;

/// Indexing memory of the writer, shared by its threads (tantivy wants ≥ 15 MB per thread).
const WRITER_HEAP_BYTES: usize = 96_000_000;
const WRITER_THREADS: usize = 2;
/// Indexing memory of a rebuild: enough for about half a million units per thread in one segment,
/// so a rebuild writes one segment per thread instead of dozens that are merged while indexing
/// (measured at 1 000 000 units: 10 segments and merges without it). Held only during a rebuild.
const REBUILD_HEAP_BYTES: usize = 1_200_000_000;
/// Documents between two progress reports of a rebuild.
const REBUILD_BATCH: u64 = 1_000;

/// Sorted, filtered and paged search over the listings; `Send + Sync`, share it behind an `Arc`.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    /// `None` only while a rebuild's writer stands in (an index has one writer at a time).
    writer: Mutex<Option<IndexWriter>>,
    writer_threads: usize,
    writer_heap: usize,
    reader: IndexReader,
    applied_seq: AtomicI64,
    facet_cache: FacetCache,
    sort_columns: Arc<SortColumns>,
    gate: SearchGate,
}

/// Lets one search more run at once than there are cores; the others wait their turn. Run all at
/// once, they only time-slice the cores, and under load every query takes as long as the slowest;
/// with exactly one per core, a core idles while the next waiting search wakes up (measured at
/// 1 000 000 units, 8 clients on 2 cores: 462 → 505–516 requests/s; docs/benchmarks.md).
struct SearchGate {
    running: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

impl SearchGate {
    fn new() -> SearchGate {
        SearchGate {
            running: Mutex::new(0),
            freed: Condvar::new(),
            limit: std::thread::available_parallelism().map_or(2, |n| n.get()) + 1,
        }
    }

    fn enter(&self) -> SearchPass<'_> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while *running >= self.limit {
            running = self.freed.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        *running += 1;
        SearchPass(self)
    }
}

struct SearchPass<'a>(&'a SearchGate);

impl Drop for SearchPass<'_> {
    fn drop(&mut self) {
        *self.0.running.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

/// Version of the text analysis (tokenizers, domain words, pinyin table). An index written with
/// another version has the same schema but different terms, so it is replaced like a foreign one.
const ANALYSIS_VERSION: u32 = 1;

/// What the last commit recorded.
#[derive(serde::Serialize, serde::Deserialize)]
struct CommitPayload {
    applied_seq: i64,
    #[serde(default)]
    analysis: u32,
}

impl CommitPayload {
    /// The payload of the last commit; `None` for a new index (or one tantivy wrote itself).
    fn of(index: &Index) -> Result<Option<CommitPayload>, SearchError> {
        let payload = index.load_metas()?.payload;
        Ok(payload.and_then(|p| serde_json::from_str(&p).ok()))
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and the index if needed. An index built
    /// with another schema is replaced by an empty one (it is rebuilt from the database).
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, SearchError> {
        // readable by the service's user only: the index holds the listings' text
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| SearchError::Io(format!("create {}: {e}", dir.display())))?;
        let open_dir = || {
            MmapDirectory::open(dir)
                .map_err(|e| SearchError::Io(format!("open {}: {e}", dir.display())))
        };
        let (schema, fields) = build_schema();
        let existing = Index::exists(&open_dir()?).map_err(|e| SearchError::Io(e.to_string()))?;
        let reusable = if existing {
            // unreadable, another schema or another analysis: start empty, the DB rebuilds it
            Index::open(open_dir()?)
                .ok()
                .filter(|index| index.schema() == schema)
                .filter(|index| {
                    let payload = CommitPayload::of(index).ok().flatten();
                    payload.is_none_or(|p| p.analysis == ANALYSIS_VERSION)
                })
        } else {
            None
        };
        let index = match reusable {
            Some(index) => index,
            None => Index::create(open_dir()?, schema, IndexSettings::default())?,
        };
        Self::from_index(index, fields, WRITER_THREADS, WRITER_HEAP_BYTES)
    }

    /// An index in memory, for tests.
    pub fn create_in_ram() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = build_schema();
        Self::from_index(Index::create_in_ram(schema), fields, 1, 20_000_000)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        threads: usize,
        heap: usize,
    ) -> Result<SearchIndex, SearchError> {
        tokenizers::register(&index);
        jieba(); // load the dictionary now rather than in the first request
        let applied_seq = CommitPayload::of(&index)?.map_or(0, |p| p.applied_seq);
        let writer = index.writer_with_num_threads(threads, heap)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            writer: Mutex::new(Some(writer)),
            writer_threads: threads,
            writer_heap: heap,
            reader,
            applied_seq: AtomicI64::new(applied_seq),
            facet_cache: FacetCache::default(),
            sort_columns: Arc::default(),
            gate: SearchGate::new(),
        })
    }

    /// Replaces or inserts `upserts` and removes `deletes` (applied after the upserts), then
    /// commits with `applied_seq` in the commit payload and reloads the reader. All or nothing.
    pub fn apply(
        &self,
        upserts: &[ListingDoc],
        deletes: &[i64],
        applied_seq: i64,
    ) -> Result<(), SearchError> {
        let mut slot = self.lock_writer();
        let writer = self.everyday_writer(&mut slot)?;
        let staged = (|| -> Result<(), SearchError> {
            let mut pinyin = PinyinMemo::default();
            for doc in upserts {
                writer.delete_term(self.unit_term(doc.unit_id));
                writer.add_document(self.document(doc, &mut pinyin)?)?;
            }
            for &unit_id in deletes {
                writer.delete_term(self.unit_term(unit_id));
            }
            Ok(())
        })();
        self.commit(writer, staged, applied_seq)
    }

    /// Empties the index and adds `docs` in one commit, then merges the result into one segment;
    /// `progress` hears the count so far every thousand documents and at the end.
    pub fn clear_and_rebuild(
        &self,
        docs: impl Iterator<Item = ListingDoc>,
        applied_seq: i64,
        progress: &dyn Fn(u64),
    ) -> Result<(), SearchError> {
        let mut slot = self.lock_writer();
        // the everyday writer makes way for a rebuild writer with more memory and no merging
        if let Some(everyday) = slot.take() {
            everyday.wait_merging_threads()?;
        }
        let rebuilt = self.rebuild_with_own_writer(docs, applied_seq, progress);
        // whatever happened, the everyday writer comes back (or is recreated on the next use)
        let restored = self.everyday_writer(&mut slot).map(|_| ());
        rebuilt.and(restored)
    }

    fn rebuild_with_own_writer(
        &self,
        docs: impl Iterator<Item = ListingDoc>,
        applied_seq: i64,
        progress: &dyn Fn(u64),
    ) -> Result<(), SearchError> {
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(WRITER_THREADS, REBUILD_HEAP_BYTES)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let staged = (|| -> Result<(), SearchError> {
            writer.delete_all_documents()?;
            let mut added = 0u64;
            let mut pinyin = PinyinMemo::default();
            for doc in docs {
                writer.add_document(self.document(&doc, &mut pinyin)?)?;
                added += 1;
                if added.is_multiple_of(REBUILD_BATCH) {
                    progress(added);
                }
            }
            progress(added);
            Ok(())
        })();
        self.commit(&mut writer, staged, applied_seq)?;
        // one segment per writer thread now; one segment makes every query cheaper
        let started = std::time::Instant::now();
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        tracing::info!(
            segments = segments.len(),
            merge_ms = started.elapsed().as_millis() as u64,
            "rebuilt index merged into one segment"
        );
        Ok(())
    }

    fn commit(
        &self,
        writer: &mut IndexWriter,
        staged: Result<(), SearchError>,
        applied_seq: i64,
    ) -> Result<(), SearchError> {
        let committed = staged.and_then(|()| {
            let payload = serde_json::to_string(&CommitPayload {
                applied_seq,
                analysis: ANALYSIS_VERSION,
            })
            .map_err(|e| SearchError::Io(format!("encode commit payload: {e}")))?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            Ok(())
        });
        if let Err(e) = committed {
            // drop the half-staged batch so the next call starts clean
            let _ = writer.rollback();
            return Err(e);
        }
        // reload before publishing the sequence: whoever sees `applied_seq` must also see the docs
        self.reader.reload()?;
        self.applied_seq.store(applied_seq, Ordering::SeqCst);
        Ok(())
    }

    /// The sequence number recorded by the last commit; 0 for a new index.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(Ordering::SeqCst)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn lock_writer(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        // a panic while holding the lock leaves nothing committed half-way; keep using the writer
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The writer of incremental updates, created again if a rebuild could not give it back.
    fn everyday_writer<'a>(
        &self,
        slot: &'a mut Option<IndexWriter>,
    ) -> Result<&'a mut IndexWriter, SearchError> {
        if slot.is_none() {
            *slot = Some(
                self.index
                    .writer_with_num_threads(self.writer_threads, self.writer_heap)?,
            );
        }
        Ok(slot.as_mut().expect("just set"))
    }

    fn unit_term(&self, unit_id: i64) -> Term {
        Term::from_field_i64(self.fields.unit_id, unit_id)
    }

    fn document(
        &self,
        doc: &ListingDoc,
        pinyin: &mut PinyinMemo,
    ) -> Result<TantivyDocument, SearchError> {
        schema::to_document(&self.fields, doc, pinyin).map_err(SearchError::Io)
    }
}
