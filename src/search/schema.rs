//! The tantivy schema of listings and the mapping of a [`ListingDoc`] onto it.

use std::collections::BTreeSet;

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::TantivyDocument;

use super::pinyin::pinyin_terms;
use super::tokenizers::{layout_words, BIGRAMS, UNIGRAMS, WORDS};
use super::ListingDoc;

/// Fast-field names used by sorts and facets.
pub(crate) const UNIT_ID: &str = "unit_id";
pub(crate) const TOTAL_PRICE: &str = "total_price_yuan";
pub(crate) const AREA: &str = "area_centi_m2";
pub(crate) const PRICE_PER_M2: &str = "price_per_m2_yuan";
pub(crate) const DISTRICT: &str = "district";
pub(crate) const ZONE_CLASS: &str = "zone_class";
pub(crate) const ROOMS: &str = "rooms";
pub(crate) const USAGE: &str = "usage";
pub(crate) const DEVELOPER_ID: &str = "developer_id";

/// Joins source texts for the text fields; a separator, so no match spans two of them.
const TEXT_SEPARATOR: &str = "\n";

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub unit_id: Field,
    pub project_id: Field,
    pub developer_id: Field,
    pub zone_class: Field,
    pub rooms: Field,
    pub floor: Field,
    pub area: Field,
    pub total_price: Field,
    pub price_per_m2: Field,
    pub district: Field,
    pub orientation: Field,
    pub decoration: Field,
    pub delivery: Field,
    /// The usage code (`residential` …), a keyword and a fast field for its facet.
    pub usage: Field,
    pub amenity: Field,
    /// jieba words of names, district, address, layout and amenities.
    pub words_title: Field,
    /// jieba words of the unit and project descriptions.
    pub words_body: Field,
    /// Every searchable character (all texts), for one-character queries.
    pub unigrams: Field,
    /// Character pairs with positions (all texts), for substring queries.
    pub bigrams: Field,
    /// Pinyin terms of project name, district and address (see `pinyin.rs`).
    pub pinyin: Field,
    /// The whole [`ListingDoc`] as JSON.
    pub stored: Field,
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let number = NumericOptions::default().set_indexed().set_fast();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let keyword = STRING;
    let fields = Fields {
        unit_id: b.add_i64_field(UNIT_ID, number.clone()),
        project_id: b.add_i64_field("project_id", INDEXED),
        developer_id: b.add_i64_field(DEVELOPER_ID, number.clone()),
        zone_class: b.add_i64_field(ZONE_CLASS, number.clone()),
        rooms: b.add_i64_field(ROOMS, number.clone()),
        floor: b.add_i64_field("floor", FAST),
        area: b.add_i64_field(AREA, FAST),
        total_price: b.add_i64_field(TOTAL_PRICE, FAST),
        price_per_m2: b.add_i64_field(PRICE_PER_M2, FAST),
        district: b.add_text_field(DISTRICT, keyword.clone() | FAST),
        orientation: b.add_text_field("orientation", keyword.clone()),
        decoration: b.add_text_field("decoration", keyword.clone()),
        delivery: b.add_text_field("delivery", keyword.clone()),
        usage: b.add_text_field(USAGE, keyword.clone() | FAST),
        amenity: b.add_text_field("amenity", keyword.clone()),
        words_title: b.add_text_field("words_title", text(WORDS, IndexRecordOption::WithFreqs)),
        words_body: b.add_text_field("words_body", text(WORDS, IndexRecordOption::WithFreqs)),
        unigrams: b.add_text_field("ngram1", text(UNIGRAMS, IndexRecordOption::WithFreqs)),
        bigrams: b.add_text_field(
            "ngram2",
            text(BIGRAMS, IndexRecordOption::WithFreqsAndPositions),
        ),
        pinyin: b.add_text_field(
            "pinyin",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_fieldnorms(false)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        stored: b.add_text_field("listing_json", STORED),
    };
    (b.build(), fields)
}

/// Texts matched by words: names, district, address, layout (both spellings), amenities.
pub(crate) fn title_texts(doc: &ListingDoc) -> Vec<String> {
    let mut texts = vec![
        doc.project_name.clone(),
        doc.developer_name.clone(),
        doc.district.clone(),
        doc.address.clone(),
        doc.layout.clone(),
        layout_words(doc.rooms, doc.halls, doc.baths),
    ];
    texts.extend(doc.amenities.iter().cloned());
    texts
}

/// Texts matched by words with less weight: the unit's and the project's descriptions.
pub(crate) fn body_texts(doc: &ListingDoc) -> [&str; 2] {
    [&doc.description, &doc.project_description]
}

/// The pinyin terms of the last project seen. Units arrive in project order (a rebuild reads them
/// by id, an upload is one project), and a project's name, district and address give the same
/// terms for each of its units; computing them was a quarter of a rebuild's work.
#[derive(Default)]
pub(crate) struct PinyinMemo {
    texts: [String; 3],
    terms: Vec<String>,
}

impl PinyinMemo {
    fn terms(&mut self, doc: &ListingDoc) -> &[String] {
        let texts = [&doc.project_name, &doc.district, &doc.address];
        if self.terms.is_empty() || texts.iter().zip(&self.texts).any(|(a, b)| *a != b) {
            let mut terms = BTreeSet::new();
            for text in texts {
                terms.extend(pinyin_terms(text));
            }
            self.terms = terms.into_iter().collect();
            self.texts = texts.map(String::clone);
        }
        &self.terms
    }
}

pub(crate) fn to_document(
    fields: &Fields,
    doc: &ListingDoc,
    pinyin: &mut PinyinMemo,
) -> Result<TantivyDocument, String> {
    let mut d = TantivyDocument::new();
    d.add_i64(fields.unit_id, doc.unit_id);
    d.add_i64(fields.project_id, doc.project_id);
    d.add_i64(fields.developer_id, doc.developer_id);
    d.add_i64(fields.zone_class, doc.zone_class);
    // a unit without a layout has no rooms value: a `rooms` filter or facet never sees it
    if let Some(rooms) = doc.rooms {
        d.add_i64(fields.rooms, rooms);
    }
    d.add_i64(fields.floor, doc.floor);
    d.add_i64(fields.area, doc.area_centi_m2);
    d.add_i64(fields.total_price, doc.total_price_yuan);
    d.add_i64(fields.price_per_m2, doc.price_per_m2_yuan);
    d.add_text(fields.district, &doc.district);
    if let Some(orientation) = &doc.orientation {
        d.add_text(fields.orientation, orientation);
    }
    if let Some(decoration) = &doc.decoration {
        d.add_text(fields.decoration, decoration);
    }
    d.add_text(fields.delivery, &doc.delivery);
    d.add_text(fields.usage, &doc.usage);
    for amenity in &doc.amenities {
        d.add_text(fields.amenity, amenity);
    }
    let title = title_texts(doc).join(TEXT_SEPARATOR);
    let body = body_texts(doc).join(TEXT_SEPARATOR);
    let all = [title.as_str(), body.as_str()].join(TEXT_SEPARATOR);
    d.add_text(fields.words_title, &title);
    d.add_text(fields.words_body, &body);
    d.add_text(fields.unigrams, &all);
    d.add_text(fields.bigrams, &all);
    for term in pinyin.terms(doc) {
        d.add_text(fields.pinyin, term);
    }
    let json = serde_json::to_string(doc).map_err(|e| format!("encode listing: {e}"))?;
    d.add_text(fields.stored, json);
    Ok(d)
}
