//! Pure domain types and rules: no IO, no web framework, no database connection. Decisions return
//! a typed `refusal::Refusal`; only the HTTP layer knows what status and code it becomes.

pub mod audit_chain;
pub mod credit_code;
pub mod developer;
pub mod entitlement;
pub mod handover;
pub mod hold;
pub mod household;
pub mod lockout;
pub mod mask;
pub mod matching;
pub mod notice;
pub mod outbound;
pub mod periods;
pub mod policy;
pub mod project;
pub mod ranking;
pub mod refusal;
pub mod selection;
pub mod status;
pub mod ticket;
pub mod token;
pub mod unit_fields;
pub mod usage;
pub mod webhook;
pub mod zone;

/// One invalid field of a request body, reported in `details.fields` of a 422.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Checks a free-text field: trimmed, `min..=max` characters.
pub fn text_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    let v = value.trim();
    let n = v.chars().count();
    if n < min || n > max {
        if min > 0 && n == 0 {
            errors.push(FieldError::new(field, "is required"));
        } else {
            errors.push(FieldError::new(
                field,
                format!("must be {min} to {max} characters, got {n}"),
            ));
        }
    }
    v.to_string()
}

/// `?page=&per_page=` of a list: page ≥ 1, per_page 1–100 (default 1 and 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: i64,
    per_page: i64,
}

pub const MAX_PER_PAGE: i64 = 100;

impl PageRequest {
    pub fn parse(page: Option<i64>, per_page: Option<i64>) -> Result<PageRequest, FieldError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(20);
        if !(1..=100_000).contains(&page) {
            return Err(FieldError::new("page", "must be from 1 to 100000"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(FieldError::new(
                "per_page",
                format!("must be from 1 to {MAX_PER_PAGE}"),
            ));
        }
        Ok(PageRequest { page, per_page })
    }
    pub fn page(self) -> i64 {
        self.page
    }
    pub fn per_page(self) -> i64 {
        self.per_page
    }
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        assert_eq!(PageRequest::parse(None, None).unwrap().offset(), 0);
        assert_eq!(PageRequest::parse(Some(3), Some(10)).unwrap().offset(), 20);
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(None, Some(10_000)).is_err());
    }
}
