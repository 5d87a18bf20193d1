//! JSON request bodies as the OpenAPI document describes them: `Content-Type: application/json`
//! (else 415), at most the JSON limit (else 413), exactly the request type (an unknown field, a
//! wrong type or garbage is 400 `malformed_body`), and a whole number written `2.0` read as the
//! integer 2, as JSON Schema counts it. `OptionalJsonBody` is a body a route may go without.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, RefusalKind};

/// A JSON request body of type `T`, read strictly.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

type Reading<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Reading<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // actix reads the body: the app's `JsonConfig` gives the limit, the content type rule
        // and their refusals (`error::json_error_handler`)
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move { Ok(JsonBody(decode(value.await?.into_inner())?)) })
    }
}

/// A JSON request body a route may go without: no body (or JSON `null`) is `None`; a body that
/// is sent is read as strictly as `JsonBody`.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T> OptionalJsonBody<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = actix_web::Error;
    type Future = Reading<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !has_body(req) {
            return Box::pin(async { Ok(OptionalJsonBody(None)) });
        }
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            match value.await?.into_inner() {
                Value::Null => Ok(OptionalJsonBody(None)),
                value => Ok(OptionalJsonBody(Some(decode(value)?))),
            }
        })
    }
}

/// Whether the request carries a body: a chunked one, or a positive `Content-Length`.
fn has_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

fn decode<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    whole_numbers(&mut value);
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            RefusalKind::MalformedBody,
            format!("malformed JSON body: {e}"),
        )
    })
}

/// Past this magnitude a float no longer spells every integer exactly.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// Rewrites every number written with a fraction of zero (`2.0`, `-3e2`) as the integer it is, so
/// an integer field takes it; a float field takes the integer as well.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64() {
                if x.fract() == 0.0 && x.abs() <= EXACT_INTEGERS {
                    *n = (x as i64).into();
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The JSON form of an upload's table, for the document: the rows alone, or an object with the
/// rows under `key` (`{"units": […]}`); each row an object of column names (docs/api.md,
/// "Uploads"), checked cell by cell (422 `upload_rejected`).
pub fn table_json_schema(key: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type};
    let rows = || ArrayBuilder::new().items(ObjectBuilder::new()).build();
    AnyOfBuilder::new()
        .item(rows())
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(key, rows())
                .required(key),
        )
        .into()
}

/// The multipart form of an upload, for the document: the table as the part named `file`.
pub fn table_multipart_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "file",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
        )
        .required("file")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
}

/// Declares a document-only type whose schema a function gives (`$schema()`).
macro_rules! schema_of {
    ($(#[$doc:meta])* $name:ident = $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use schema_of;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        id: i64,
        ids: Vec<i64>,
        area: f64,
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_stay_refused() {
        let read = decode::<Sample>(serde_json::json!({"id": 2.0, "ids": [-3e2, 4], "area": 89.5}));
        assert_eq!(
            read.unwrap(),
            Sample {
                id: 2,
                ids: vec![-300, 4],
                area: 89.5
            }
        );
        let fraction = decode::<Sample>(serde_json::json!({"id": 2.5, "ids": [], "area": 1}));
        assert_eq!(fraction.unwrap_err().code, RefusalKind::MalformedBody);
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_malformed() {
        for body in [
            serde_json::json!({"id": 1, "ids": [], "area": 1, "extra": true}),
            serde_json::json!({"id": "1", "ids": [], "area": 1}),
            serde_json::json!([1, 2]),
            serde_json::json!(null),
        ] {
            let refused = decode::<Sample>(body).unwrap_err();
            assert_eq!(refused.code, RefusalKind::MalformedBody);
        }
    }
}
