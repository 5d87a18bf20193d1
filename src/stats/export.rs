//! Reports as files officials open in Excel: CSV in UTF-8 with a BOM (so Excel shows Chinese),
//! and XLSX; both start with a title row naming the report, the period and when it was made,
//! then Chinese column headers.

use rust_xlsxwriter::{Format, Workbook};

/// One cell: text or a number (numbers stay numbers in XLSX).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
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
                            Cell::Text(s) => s.clone(),
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

    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.title)?;
        let bold = Format::new().set_bold();
        sheet.write_string_with_format(0, 0, self.title_line(), &bold)?;
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(1, c as u16, *h, &bold)?;
            sheet.set_column_width(c as u16, 14)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => sheet.write_string(r, c, s)?,
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64)?,
                    Cell::Num(x) => sheet.write_number(r, c, *x)?,
                };
            }
        }
        book.save_to_buffer()
    }
}

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
}
