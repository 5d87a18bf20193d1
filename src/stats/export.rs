//! Reports as files officials open in Excel: CSV in UTF-8 with a BOM (so Excel shows Chinese),
//! and XLSX; both start with a title row naming the report, the period and when it was made,
//! then Chinese column headers. Text that begins like a formula is neutralised (`neutralise`).

/// One cell: text or a number (numbers stay numbers in XLSX).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
}

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and CR, that
/// hide one behind a separator): OWASP's list for CSV injection.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as it is exported: one that begins like a formula gets a leading `'`, so Excel
/// and LibreOffice show it as text and never evaluate it (OWASP's advice). Names come from
/// developers and households, so a project called `=HYPERLINK(…)` must not become a live link
/// on an official's screen. Numbers are never text here, so a negative number stays a number.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}
impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Num(x)
    }
}

/// A report ready to export.
#[derive(Debug, Clone)]
pub struct Report {
    /// e.g. `去化统计`
    pub title: String,
    /// e.g. `2026-03-01 至 2026-03-31`
    pub period: String,
    /// local time, e.g. `2026-03-31 18:00`
    pub generated_at: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Report {
    fn title_line(&self) -> String {
        format!(
            "{}（{}），生成时间 {}",
            self.title, self.period, self.generated_at
        )
    }

    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
        {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(&mut out);
            let write = |w: &mut csv::Writer<&mut Vec<u8>>, rec: Vec<String>| {
                w.write_record(rec).expect("writing to memory cannot fail");
            };
            write(&mut w, vec![self.title_line()]);
            write(&mut w, self.headers.iter().map(|h| h.to_string()).collect());
            for row in &self.rows {
                write(
                    &mut w,
                    row.iter()
                        .map(|c| match c {
                            Cell::Text(s) => neutralise(s).into_owned(),
                            Cell::Int(n) => n.to_string(),
                            Cell::Num(x) => format!("{x:.4}"),
                        })
                        .collect(),
                );
            }
            w.flush().expect("writing to memory cannot fail");
        }
        out
    }

    /// The report as an XLSX workbook: one sheet named after the report, the title and header
    /// rows bold, numbers as numbers, text as inline strings (never formulas, and neutralised like
    /// the CSV's), columns 14 characters wide.
    ///
    /// Written directly (SpreadsheetML is a handful of small XML parts in a zip) rather than with
    /// rust_xlsxwriter, which keeps every cell in a map and deflates at level 6: for a 12 000-row
    /// report that took ~125 ms of a 200 ms budget; this takes a fraction of it (the fastest
    /// deflate level costs a slightly bigger file, not a slower download).
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        use std::fmt::Write as _;
        use std::io::Write as _;
        let mut sheet =
            String::with_capacity(64 * (self.rows.len() + 2) * self.headers.len().max(1));
        sheet.push_str(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        ));
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len(), 1])
            .max()
            .unwrap_or(1);
        sheet.push_str(&format!(
            r#"<cols><col min="1" max="{columns}" width="14.7109375" customWidth="1"/></cols><sheetData>"#
        ));
        let title = [Cell::Text(self.title_line())];
        let headers: Vec<Cell> = self.headers.iter().map(|h| Cell::from(*h)).collect();
        let bold_rows = [&title[..], &headers[..]];
        let names: Vec<String> = (0..columns).map(column_name).collect();
        for (r, row) in bold_rows
            .into_iter()
            .chain(self.rows.iter().map(Vec::as_slice))
            .enumerate()
        {
            let (style, r) = (if r < 2 { r#" s="1""# } else { "" }, r + 1);
            // writing into a String cannot fail
            let _ = write!(sheet, r#"<row r="{r}">"#);
            for (cell, col) in row.iter().zip(&names) {
                let _ = match cell {
                    Cell::Text(text) => {
                        let _ = write!(
                            sheet,
                            r#"<c r="{col}{r}"{style} t="inlineStr"><is><t xml:space="preserve">"#
                        );
                        push_xml_text(&mut sheet, &neutralise(text));
                        write!(sheet, "</t></is></c>")
                    }
                    Cell::Int(n) => write!(sheet, r#"<c r="{col}{r}"{style}><v>{n}</v></c>"#),
                    Cell::Num(x) if x.is_finite() => {
                        write!(sheet, r#"<c r="{col}{r}"{style}><v>{x}</v></c>"#)
                    }
                    Cell::Num(_) => Ok(()),
                };
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData></worksheet>");

        let mut name = String::new();
        push_xml_text(&mut name, &sheet_name(&self.title));
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        let parts: [(&str, &str); 6] = [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", &workbook),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
            ("xl/worksheets/sheet1.xml", &sheet),
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        for (path, body) in parts {
            zip.start_file(path, options)?;
            zip.write_all(body.as_bytes())?;
        }
        Ok(zip.finish()?.into_inner())
    }
}

/// Writing an XLSX failed (only on I/O into memory, i.e. practically never).
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
fn column_name(mut c: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// Excel's sheet-name rules: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "Sheet1".into()
    } else {
        name
    }
}

/// Escapes XML text and drops the control characters XML 1.0 cannot carry.
fn push_xml_text(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Style 0 is the default (11 pt Calibri), style 1 the same in bold.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_the_title_row() {
        let r = Report {
            title: "结算".into(),
            period: "全部".into(),
            generated_at: "2026-03-31 18:00".into(),
            headers: vec!["开发企业", "结算金额（元）"],
            rows: vec![vec!["甲公司".into(), 864_000i64.into()]],
        };
        let csv = String::from_utf8(r.to_csv()).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines,
            [
                "结算（全部），生成时间 2026-03-31 18:00",
                "开发企业,结算金额（元）",
                "甲公司,864000"
            ]
        );
        assert!(r.to_xlsx().unwrap().starts_with(b"PK"));
    }

    #[test]
    fn text_beginning_like_a_formula_gets_a_quote_and_numbers_stay_numbers() {
        for text in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-3"] {
            assert_eq!(neutralise(text), format!("'{text}"), "{text:?}");
        }
        for text in ["甲公司", "", "1-2", "a=b", " =1", "'=1"] {
            assert_eq!(neutralise(text), text, "{text:?}");
        }
        let r = Report {
            title: "结算".into(),
            period: "全部".into(),
            generated_at: "2026-03-31 18:00".into(),
            headers: vec!["名称", "整数", "小数"],
            rows: vec![
                vec![
                    "=HYPERLINK(\"http://x\",\"y\")".into(),
                    (-3i64).into(),
                    (-0.5f64).into(),
                ],
                vec!["-3".into(), 0i64.into(), 1.0f64.into()],
            ],
        };
        let csv = String::from_utf8(r.to_csv()).unwrap();
        let lines: Vec<&str> = csv.lines().skip(2).collect();
        assert_eq!(
            lines,
            [
                r#""'=HYPERLINK(""http://x"",""y"")",-3,-0.5000"#,
                "'-3,0,1.0000"
            ]
        );

        use calamine::{Data, Reader, Xlsx};
        let bytes = r.to_xlsx().unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let text = |s: &str| Data::String(s.into());
        assert_eq!(
            sheet.get_value((2, 0)),
            Some(&text("'=HYPERLINK(\"http://x\",\"y\")"))
        );
        assert_eq!(sheet.get_value((2, 1)), Some(&Data::Float(-3.0)));
        assert_eq!(sheet.get_value((2, 2)), Some(&Data::Float(-0.5)));
        assert_eq!(sheet.get_value((3, 0)), Some(&text("'-3")));
        let formulas = book.worksheet_formula("结算").unwrap();
        assert!(
            formulas.cells().all(|(_, _, f)| f.is_empty()),
            "no formulas"
        );
    }

    #[test]
    fn xlsx_reads_back_with_its_sheet_name_text_and_numbers() {
        use calamine::{Data, Reader, Xlsx};
        let r = Report {
            title: "去化统计[项目/月]".into(),
            period: "2026-01-01 至 2026-03-31".into(),
            generated_at: "2026-03-31 18:00".into(),
            headers: vec!["项目", "存量套数", "去化率"],
            rows: vec![
                vec![
                    "A&B <锦园> \"一期\"".into(),
                    1_000i64.into(),
                    0.125f64.into(),
                ],
                vec!["\u{1}控制符".into(), (-3i64).into(), 1.0f64.into()],
            ],
        };
        let bytes = r.to_xlsx().unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["去化统计项目月"]);
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(
            rows[0][0],
            Data::String(
                "去化统计[项目/月]（2026-01-01 至 2026-03-31），生成时间 2026-03-31 18:00".into()
            )
        );
        assert_eq!(
            rows[1],
            ["项目", "存量套数", "去化率"].map(|h| Data::String(h.into()))
        );
        assert_eq!(rows[2][0], Data::String("A&B <锦园> \"一期\"".into()));
        assert_eq!(rows[2][1], Data::Float(1000.0));
        assert_eq!(rows[2][2], Data::Float(0.125));
        assert_eq!(rows[3][0], Data::String("控制符".into()));
        assert_eq!(rows[3][1], Data::Float(-3.0));
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }
}
