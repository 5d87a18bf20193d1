//! Query parameters that take a fixed set of words, a date or a month, read exactly as their
//! schemas in the OpenAPI document say (nothing trimmed, no empty value): what the document
//! lists is what the route takes.

use crate::error::{ApiError, RefusalKind};

/// Declares a query parameter that takes one of a fixed set of words, exactly: serde refuses any
/// other value (400 `invalid_query`), and its schema is the enum of the same words.
macro_rules! query_words {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// The word as the query wrote it.
            pub fn word(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        // by hand: the derive does not see a rename written by a macro
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::routes::params::words_schema(&[$($word),+])
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use query_words;

/// The schema of a `query_words!` parameter: a string that is one of `words`.
pub fn words_schema(words: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(words.iter().copied()))
        .into()
}

/// A date written exactly `YYYY-MM-DD`, as YYYYMMDD; else 400 naming `name`.
pub fn date(name: &str, given: &str) -> Result<i32, ApiError> {
    let shaped = given.len() == 10
        && given.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| crate::domain::periods::parse_day(given))
        .flatten()
        .ok_or_else(|| {
            ApiError::new(
                RefusalKind::InvalidQuery,
                format!("{name} must be a date YYYY-MM-DD"),
            )
        })
}

/// A month written exactly `YYYY-MM` (years 1000–9999: a ranking reaches two months back), as
/// its first and last day; else 400 naming `name`.
pub fn month(name: &str, given: &str) -> Result<(i32, i32), ApiError> {
    let shaped = given.len() == 7
        && !given.starts_with('0')
        && given.bytes().enumerate().all(|(i, b)| {
            if i == 4 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| crate::domain::periods::parse_month(given))
        .flatten()
        .ok_or_else(|| ApiError::new(RefusalKind::InvalidQuery, format!("{name} must be YYYY-MM")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_months_take_only_their_exact_shape() {
        assert_eq!(date("from", "2026-03-01").unwrap(), 20260301);
        for bad in [
            "",
            "2026-3-1",
            " 2026-03-01",
            "2026-02-30",
            "20260301",
            "+2026-03-01",
        ] {
            assert!(date("from", bad).is_err(), "{bad:?}");
        }
        assert_eq!(month("month", "2026-02").unwrap(), (20260201, 20260228));
        for bad in ["", "2026-2", "2026-13", "2026-02 ", "2026/02", "0999-01"] {
            assert!(month("month", bad).is_err(), "{bad:?}");
        }
    }

    query_words!(Sort { Relevance = "relevance", PriceAsc = "price_asc" });

    #[test]
    fn words_are_taken_exactly() {
        #[derive(serde::Deserialize)]
        struct Query {
            sort: Option<Sort>,
        }
        let read = |q: &str| actix_web::web::Query::<Query>::from_query(q).map(|q| q.sort);
        assert_eq!(read("sort=price_asc").unwrap(), Some(Sort::PriceAsc));
        assert_eq!(read("").unwrap(), None);
        for bad in [
            "sort=",
            "sort=%20price_asc",
            "sort=PRICE_ASC",
            "sort=cheapest",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        assert_eq!(Sort::PriceAsc.word(), "price_asc");
    }
}
