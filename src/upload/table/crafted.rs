//! Hand-made XLSX files for the tests: the smallest workbook calamine opens, with whatever sheet
//! XML, shared strings or extra entries a test needs.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

const WORKBOOK: &str = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A zip of `(name, content)` entries, deflated (at the default level: a run of one byte then
/// compresses about 1 000:1).
pub(crate) fn zip_of<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(name, options).expect("entry");
        zip.write_all(content).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A worksheet part: `dimension` (if any) and the rows' XML inside `<sheetData>`.
pub(crate) fn sheet(dimension: Option<&str>, rows: &str) -> String {
    let dimension = dimension.map_or(String::new(), |d| format!(r#"<dimension ref="{d}"/>"#));
    format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// A row of inline-string cells at 1-based `row`, from column A.
pub(crate) fn row(row: usize, cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let column = char::from(b'A' + i as u8);
            format!(r#"<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>"#)
        })
        .collect();
    format!(r#"<row r="{row}">{cells}</row>"#)
}

/// A workbook with this first sheet, shared strings if given, and any extra entries.
pub(crate) fn workbook(
    sheet_xml: &str,
    shared_strings: Option<&str>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ];
    if let Some(strings) = shared_strings {
        entries.push(("xl/sharedStrings.xml", strings.as_bytes()));
    }
    entries.extend_from_slice(extra);
    zip_of(entries)
}

/// A shared-strings part of `n` distinct strings.
pub(crate) fn shared_strings(n: usize) -> String {
    let mut xml =
        String::from(r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#);
    for i in 0..n {
        xml.push_str(&format!("<si><t>s{i}</t></si>"));
    }
    xml.push_str("</sst>");
    xml
}

/// Rewrites the uncompressed size every header of `zip` declares for entry `name` (local and
/// central), as a zip that lies about what it inflates to would.
pub(crate) fn declare_size(mut zip: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
    let mut at = 0;
    while let Some(i) = find(&zip[at..], name.as_bytes()).map(|i| i + at) {
        // a local header has its name at 30, a central one at 46; their sizes sit at 22 and 24
        for (signature, name_at, size_at) in [(b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)] {
            if i >= name_at && &zip[i - name_at..i - name_at + 4] == signature {
                let field = i - name_at + size_at;
                zip[field..field + 4].copy_from_slice(&size.to_le_bytes());
            }
        }
        at = i + 1;
    }
    zip
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
