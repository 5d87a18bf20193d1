//! Hand-made XLSX files that attack the reader: the smallest workbook calamine opens, with the
//! sheet XML, shared strings or extra entries an attack needs. Made in the test, never stored.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const WORKBOOK: &str = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
/// The unit table's header, as a sheet's first row of inline strings.
const HEADER: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>building</t></is></c><c r="B1" t="inlineStr"><is><t>room</t></is></c><c r="C1" t="inlineStr"><is><t>floor</t></is></c><c r="D1" t="inlineStr"><is><t>layout</t></is></c><c r="E1" t="inlineStr"><is><t>area_m2</t></is></c><c r="F1" t="inlineStr"><is><t>price_per_m2_yuan</t></is></c></row>"#;
/// One valid unit row (building 9, room 901) at sheet row 2.
const ROW: &str = r#"<row r="2"><c r="A2"><v>9</v></c><c r="B2"><v>901</v></c><c r="C2"><v>9</v></c><c r="D2" t="inlineStr"><is><t>2室1厅1卫</t></is></c><c r="E2"><v>70</v></c><c r="F2"><v>9000</v></c></row>"#;

/// A workbook whose sheet has `dimension` (if any), the unit header, one valid row and `rows`;
/// then `shared_strings` and the `extra` entries, if any.
pub fn workbook(
    dimension: Option<&str>,
    rows: &str,
    shared_strings: Option<&str>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let dimension = dimension.map_or(String::new(), |d| format!(r#"<dimension ref="{d}"/>"#));
    let sheet = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{HEADER}{ROW}{rows}</sheetData></worksheet>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ];
    if let Some(strings) = shared_strings {
        entries.push(("xl/sharedStrings.xml", strings.as_bytes()));
    }
    entries.extend_from_slice(extra);
    for (name, content) in entries {
        zip.start_file(name, options).expect("entry");
        zip.write_all(content).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A shared-strings part of `n` distinct strings.
pub fn shared_strings(n: usize) -> String {
    let strings: String = (0..n).map(|i| format!("<si><t>s{i}</t></si>")).collect();
    format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>"#
    )
}
