//! The baseline: the same listed units in SQLite FTS5 (text segmented by jieba, words joined by
//! spaces, `unicode61` tokenizer) next to a plain table of filter columns with B-tree indexes;
//! the same query mix as SQL (MATCH, WHERE, ORDER BY bm25 or a column, GROUP BY for facets).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anju::db::AnyConnection;
use anju::search::{jieba, layout_words, ListingDoc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::queries::{BenchQuery, PER_PAGE};

diesel::table! {
    listing (id) {
        id -> BigInt,
        developer_id -> BigInt,
        district -> Text,
        zone_class -> BigInt,
        rooms -> BigInt,
        area_centi_m2 -> BigInt,
        total_price_yuan -> BigInt,
        price_per_m2_yuan -> BigInt,
        amenities -> Text,
        doc -> Text,
    }
}

diesel::table! {
    listing_fts (rowid) {
        rowid -> BigInt,
        words -> Text,
    }
}

#[derive(Insertable)]
#[diesel(table_name = listing)]
struct ListingRow {
    id: i64,
    developer_id: i64,
    district: String,
    zone_class: i64,
    rooms: i64,
    area_centi_m2: i64,
    total_price_yuan: i64,
    price_per_m2_yuan: i64,
    amenities: String,
    doc: String,
}

#[derive(Insertable)]
#[diesel(table_name = listing_fts)]
struct FtsRow {
    rowid: i64,
    words: String,
}

const SCHEMA: &str = "
CREATE TABLE listing (
    id INTEGER PRIMARY KEY, developer_id INTEGER NOT NULL, district TEXT NOT NULL,
    zone_class INTEGER NOT NULL, rooms INTEGER NOT NULL, area_centi_m2 INTEGER NOT NULL,
    total_price_yuan INTEGER NOT NULL, price_per_m2_yuan INTEGER NOT NULL,
    amenities TEXT NOT NULL, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE listing_fts USING fts5(words, tokenize = 'unicode61 remove_diacritics 0');";

const INDEXES: &str = "
CREATE INDEX listing_district ON listing (district);
CREATE INDEX listing_rooms ON listing (rooms);
CREATE INDEX listing_total_price ON listing (total_price_yuan);
CREATE INDEX listing_area ON listing (area_centi_m2);
CREATE INDEX listing_price_per_m2 ON listing (price_per_m2_yuan);
INSERT INTO listing_fts (listing_fts) VALUES ('optimize');
ANALYZE;";

/// The words FTS5 indexes for a unit: jieba search-mode words of every searchable text.
fn words(doc: &ListingDoc) -> String {
    let layout_cn = layout_words(doc.rooms, doc.halls, doc.baths);
    let mut texts = vec![
        doc.project_name.as_str(),
        &doc.developer_name,
        &doc.district,
        &doc.address,
        &doc.layout,
        &layout_cn,
        &doc.description,
        &doc.project_description,
    ];
    texts.extend(doc.amenities.iter().map(String::as_str));
    let mut out = String::new();
    for text in texts {
        for w in jieba().cut_for_search(text, true) {
            if w.word.chars().any(char::is_alphanumeric) {
                out.push_str(&w.word.to_lowercase());
                out.push(' ');
            }
        }
    }
    out
}

fn row(doc: ListingDoc) -> (ListingRow, FtsRow) {
    let fts = FtsRow {
        rowid: doc.unit_id,
        words: words(&doc),
    };
    let row = ListingRow {
        id: doc.unit_id,
        developer_id: doc.developer_id,
        district: doc.district.clone(),
        zone_class: doc.zone_class,
        rooms: doc.rooms.unwrap_or(0), // the bench's units are all flats, each with rooms
        area_centi_m2: doc.area_centi_m2,
        total_price_yuan: doc.total_price_yuan,
        price_per_m2_yuan: doc.price_per_m2_yuan,
        amenities: serde_json::to_string(&doc.amenities).expect("json"),
        doc: serde_json::to_string(&doc).expect("json"),
    };
    (row, fts)
}

/// Builds `path` from the listed units of the anju database (two segmenting threads).
pub fn build(anju_db: &mut AnyConnection, path: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(path);
    let mut conn = SqliteConnection::establish(path.to_str().expect("utf-8 path"))?;
    conn.batch_execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    conn.batch_execute(SCHEMA)?;
    let mut after = 0;
    loop {
        let batch = anju::db::listings::listed_after(anju_db, after, 20_000)?;
        let Some(last) = batch.last() else { break };
        after = last.unit_id;
        let half = batch.len() / 2;
        let mut second = batch;
        let first: Vec<ListingDoc> = second.drain(..half).collect();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(move || first.into_iter().map(row).collect::<Vec<_>>());
            let b: Vec<_> = second.into_iter().map(row).collect();
            (a.join().expect("segmenting thread"), b)
        });
        conn.transaction(|c| -> QueryResult<()> {
            for part in a.chunks(1_000).chain(b.chunks(1_000)) {
                let (rows, fts): (Vec<_>, Vec<_>) = part
                    .iter()
                    .map(|(r, f)| (r, f))
                    .unzip::<_, _, Vec<&ListingRow>, Vec<&FtsRow>>();
                diesel::insert_into(listing::table)
                    .values(rows)
                    .execute(c)?;
                diesel::insert_into(listing_fts::table)
                    .values(fts)
                    .execute(c)?;
            }
            Ok(())
        })?;
    }
    conn.batch_execute(INDEXES)?;
    Ok(())
}

#[derive(QueryableByName)]
struct DocRow {
    #[diesel(sql_type = Text)]
    doc: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct FacetRow {
    #[diesel(sql_type = Text)]
    district: String,
    #[diesel(sql_type = BigInt)]
    zone_class: i64,
    #[diesel(sql_type = BigInt)]
    rooms: i64,
    #[diesel(sql_type = BigInt)]
    developer_id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// SQL string literal (the values come from the fixed mix, but quote them properly anyway).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The FTS5 MATCH expression: every term's jieba words (precise mode), each a quoted string,
/// all required. `None` when the text has no word at all.
fn match_expr(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split_whitespace()
        .flat_map(|term| jieba().cut(term, true))
        .map(|w| w.word.to_lowercase())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// FROM + WHERE of a query.
fn from_where(q: &BenchQuery) -> String {
    let mut conds = Vec::new();
    let mut from = "listing l".to_string();
    if let Some(expr) = q.q.and_then(match_expr) {
        from = "listing_fts f JOIN listing l ON l.id = f.rowid".to_string();
        conds.push(format!("listing_fts MATCH {}", lit(&expr)));
    }
    if let Some(d) = q.district {
        conds.push(format!("l.district = {}", lit(d)));
    }
    if let Some(r) = q.rooms {
        conds.push(format!("l.rooms = {r}"));
    }
    if let Some(p) = q.max_price_yuan {
        conds.push(format!("l.total_price_yuan <= {p}"));
    }
    if let Some(a) = q.min_area_m2 {
        conds.push(format!("l.area_centi_m2 >= {}", a * 100));
    }
    if let Some(a) = q.amenity {
        conds.push(format!("l.amenities LIKE {}", lit(&format!("%\"{a}\"%"))));
    }
    if conds.is_empty() {
        from
    } else {
        format!("{from} WHERE {}", conds.join(" AND "))
    }
}

/// Runs one query: the page, then the total (or the facet groups, whose sum is the total).
/// Returns the total.
pub fn run(conn: &mut SqliteConnection, q: &BenchQuery) -> QueryResult<usize> {
    let fw = from_where(q);
    let text = fw.starts_with("listing_fts");
    let order = match q.sort {
        "relevance" if text => "f.rank, l.id",
        "price_asc" => "l.total_price_yuan, l.id",
        "price_desc" => "l.total_price_yuan DESC, l.id",
        "area_asc" => "l.area_centi_m2, l.id",
        "area_desc" => "l.area_centi_m2 DESC, l.id",
        "price_per_m2_asc" => "l.price_per_m2_yuan, l.id",
        _ => "l.id",
    };
    let offset = (q.page - 1) * PER_PAGE;
    let page: Vec<DocRow> = diesel::sql_query(format!(
        "SELECT l.doc AS doc FROM {fw} ORDER BY {order} LIMIT {PER_PAGE} OFFSET {offset}"
    ))
    .load(conn)?;
    // decode the page as the search function does with its stored documents
    for row in &page {
        let _: ListingDoc = serde_json::from_str(&row.doc).expect("stored doc");
    }
    if q.facets {
        let groups: Vec<FacetRow> = diesel::sql_query(format!(
            "SELECT l.district AS district, l.zone_class AS zone_class, l.rooms AS rooms, \
             l.developer_id AS developer_id, count(*) AS n FROM {fw} GROUP BY 1, 2, 3, 4"
        ))
        .load(conn)?;
        let mut facets: [BTreeMap<String, i64>; 4] = Default::default();
        let mut total = 0;
        for g in groups {
            let keys = [
                g.district,
                g.zone_class.to_string(),
                g.rooms.to_string(),
                g.developer_id.to_string(),
            ];
            for (map, key) in facets.iter_mut().zip(keys) {
                *map.entry(key).or_default() += g.n;
            }
            total += g.n as usize;
        }
        std::hint::black_box(facets);
        return Ok(total);
    }
    let count: CountRow =
        diesel::sql_query(format!("SELECT count(*) AS n FROM {fw}")).get_result(conn)?;
    Ok(count.n as usize)
}

/// Number of listings in the FTS5 database at `path`, if it is complete.
pub fn count(path: &Path) -> Option<i64> {
    let mut conn = SqliteConnection::establish(path.to_str()?).ok()?;
    let row: CountRow = diesel::sql_query("SELECT count(*) AS n FROM listing_fts")
        .get_result(&mut conn)
        .ok()?;
    Some(row.n)
}

/// Opens the FTS5 database read-only-ish, with a page cache comparable to the index's mmap.
pub fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(path.to_str().expect("utf-8 path"))?;
    conn.batch_execute("PRAGMA cache_size = -500000; PRAGMA mmap_size = 4000000000;")?;
    Ok(conn)
}

/// Times each query of `queries` once (after a short warm-up).
pub fn time_all(
    conn: &mut SqliteConnection,
    queries: &[BenchQuery],
) -> anyhow::Result<Vec<(Duration, usize)>> {
    for q in queries.iter().take(20) {
        run(conn, q)?;
    }
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        let t = Instant::now();
        let total = run(conn, q)?;
        out.push((t.elapsed(), total));
    }
    Ok(out)
}
