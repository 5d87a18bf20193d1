//! Reads an upload from the request: the file as the raw body with its Content-Type, or as the
//! `file` part of `multipart/form-data`; enforces the body size limit while streaming.

use std::sync::Arc;

use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::error::{ApiError, ApiResult, RefusalKind};
use crate::state::AppState;
use crate::upload::UploadFormat;

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        RefusalKind::PayloadTooLarge,
        format!(
            "the upload is larger than {} MiB; split it into several files",
            limit / (1024 * 1024)
        ),
    )
}

fn unsupported(what: &str) -> ApiError {
    ApiError::new(
        RefusalKind::UnsupportedMediaType,
        format!("unsupported upload type {what:?}: send text/csv, {XLSX_MIME} or application/json, or multipart/form-data with a part named file"),
    )
}

/// The format a MIME type (and, failing that, a file name) names.
fn format_of(mime: Option<&str>, filename: Option<&str>) -> Option<UploadFormat> {
    let essence = mime.map(|m| {
        m.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match essence.as_deref() {
        Some("text/csv" | "application/csv" | "text/plain" | "application/vnd.ms-excel") => {
            Some(UploadFormat::Csv)
        }
        Some("application/json") => Some(UploadFormat::Json),
        Some(XLSX_MIME) => Some(UploadFormat::Xlsx),
        _ => {
            let name = filename?.to_ascii_lowercase();
            if name.ends_with(".csv") {
                Some(UploadFormat::Csv)
            } else if name.ends_with(".xlsx") {
                Some(UploadFormat::Xlsx)
            } else if name.ends_with(".json") {
                Some(UploadFormat::Json)
            } else {
                None
            }
        }
    }
}

async fn collect<S, E>(mut stream: S, limit: usize) -> ApiResult<Vec<u8>>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                RefusalKind::MalformedBody,
                format!("reading the upload failed: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> ApiResult<(UploadFormat, Vec<u8>)> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // a multipart envelope adds a little around the file itself
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(too_large(limit));
    }
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
        while let Some(field) = multipart.next().await {
            let field = field.map_err(|e| {
                ApiError::new(
                    RefusalKind::MalformedBody,
                    format!("malformed multipart body: {e}"),
                )
            })?;
            if field.name() != Some("file") {
                continue;
            }
            let mime = field.content_type().map(|m| m.essence_str().to_string());
            let filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_string);
            let format = format_of(mime.as_deref(), filename.as_deref()).ok_or_else(|| {
                unsupported(filename.as_deref().or(mime.as_deref()).unwrap_or(""))
            })?;
            return Ok((format, collect(field, limit).await?));
        }
        return Err(ApiError::new(
            RefusalKind::MalformedBody,
            "the multipart body has no part named file",
        ));
    }
    let format = format_of(Some(&content_type), None).ok_or_else(|| unsupported(&content_type))?;
    Ok((format, collect(payload, limit).await?))
}

/// Parses an upload off the async workers, at most `UploadLimits::max_parallel` at once: each
/// may hold several times its body while it is read (docs/security.md), so the others wait. The
/// permit goes with the work, so a client that hangs up does not free it early.
pub async fn parse<T: Send + 'static>(
    state: &AppState,
    parse: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    let permit = Arc::clone(&state.upload_gate)
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    Ok(web::block(move || {
        let _permit = permit;
        parse()
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_mime_type_or_file_name() {
        assert_eq!(
            format_of(Some("text/csv; charset=gb18030"), None),
            Some(UploadFormat::Csv)
        );
        assert_eq!(format_of(Some(XLSX_MIME), None), Some(UploadFormat::Xlsx));
        assert_eq!(
            format_of(Some("application/octet-stream"), Some("房源.XLSX")),
            Some(UploadFormat::Xlsx)
        );
        assert_eq!(format_of(Some("image/png"), None), None);
    }
}
