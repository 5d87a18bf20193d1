//! The XLSX zip container, checked against the budgets before calamine opens it: how many
//! entries, what every entry really inflates to (read through a cap, so a header that lies about
//! sizes cannot pass), how much it is compressed, and how many shared strings the workbook holds
//! (calamine reads them all into memory when it opens the file).

use std::io::{self, BufReader, Read};

use super::super::budget::{Budgets, OverBudget};
use super::super::UploadError;

/// The part calamine reads the shared strings from (it matches the name this way too).
fn is_shared_strings(name: &str) -> bool {
    name.replace('\\', "/")
        .eq_ignore_ascii_case("xl/sharedStrings.xml")
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

pub(super) fn check(bytes: &[u8], budgets: &Budgets) -> Result<(), UploadError> {
    let bad = |e: &dyn std::fmt::Display| UploadError::BadSpreadsheet(e.to_string());
    let over = |o: OverBudget| Err(UploadError::OverBudget(o));
    // The zip reader keeps ~440 bytes per entry of the central directory, whose entries can be
    // 47 bytes each: count them by their signature first (an upper bound of what it reads).
    let signatures = memchr::memmem::find_iter(bytes, b"PK\x01\x02").count();
    if signatures > budgets.max_zip_entries {
        return over(OverBudget::new(
            "zip_entries",
            budgets.max_zip_entries,
            signatures,
        ));
    }
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    if zip.len() > budgets.max_zip_entries {
        return over(OverBudget::new(
            "zip_entries",
            budgets.max_zip_entries,
            zip.len(),
        ));
    }
    let limit = budgets.max_inflated_bytes;
    // what the headers declare refuses an honest big file without inflating it
    if let Some(declared) = zip.decompressed_size().filter(|n| *n > u128::from(limit)) {
        return over(OverBudget::new("inflated_bytes", limit, declared).at("the workbook"));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad(&e))?;
        let name = entry.name().to_owned();
        let by_ratio = entry
            .compressed_size()
            .saturating_mul(budgets.max_compression_ratio)
            .max(budgets.ratio_floor_bytes);
        let cap = (limit - total).min(by_ratio);
        let mut reader = Counting {
            inner: (&mut entry).take(cap.saturating_add(1)),
            read: 0,
        };
        if is_shared_strings(&name) {
            count_shared_strings(&mut reader, budgets.max_shared_strings, &name)?;
        }
        io::copy(&mut reader, &mut io::sink()).map_err(|e| bad(&format!("{name}: {e}")))?;
        let inflated = reader.read;
        if inflated > limit - total {
            let found = total.saturating_add(inflated);
            return over(OverBudget::new("inflated_bytes", limit, found).at(name));
        }
        if inflated > by_ratio {
            // reading stopped at the limit; an honest header tells the whole ratio
            let ratio = inflated.max(entry.size()) / entry.compressed_size().max(1);
            let o = OverBudget::new("compression_ratio", budgets.max_compression_ratio, ratio);
            return over(o.at(name));
        }
        total += inflated;
    }
    Ok(())
}

/// Counts `<si>` elements the way calamine finds them (same XML reader and settings). A part
/// that does not parse stops the count: calamine stops at the same place with an error.
fn count_shared_strings(xml: impl Read, limit: usize, name: &str) -> Result<(), UploadError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::with_capacity(1024);
    let mut count = 0usize;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"si" => {
                count += 1;
                if count > limit {
                    let o = OverBudget::new("shared_strings", limit, count).at(name);
                    return Err(UploadError::OverBudget(o));
                }
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}
