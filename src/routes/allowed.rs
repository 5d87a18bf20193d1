//! The API's paths as the OpenAPI document declares them, with each operation's access: which
//! methods a path takes, for the `Allow` header of a 405 (a known API path with a method no
//! handler of that path takes answers 405 `method_not_allowed` rather than 404), and who may call
//! an operation, for the access middleware (`routes::access`). Built once at start-up from the
//! OpenAPI document, whose paths are the route table's (`routes::table`), so they cannot disagree.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use utoipa::openapi::path::Operation;
use utoipa::openapi::OpenApi;

use super::access::Access;
use super::table::access_of;
use crate::error::{ApiError, RefusalKind};

/// Methods in the order `Allow` lists them.
const ORDER: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

/// One segment of a path template: a literal, or a `{parameter}` that matches any one segment.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Parameter,
}

/// Path templates (`/api/v1/units/{id}`) with the methods declared on each and who may call them.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes {
    templates: Vec<Template>,
}

/// A path template's segments, and the methods declared on it with who may call each.
type Template = (Vec<Segment>, Vec<(&'static str, Access)>);

/// Who may call `operation`: the route table's access for its operation id (the handler's name);
/// an operation the table does not name is for admins only (deny by default).
fn access_of_operation(operation: &Operation) -> Access {
    operation
        .operation_id
        .as_deref()
        .and_then(access_of)
        .unwrap_or(Access::Admin)
}

impl KnownRoutes {
    /// The templates, methods and access of every operation in `doc`.
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let templates = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let declared = [
                    ("GET", &item.get),
                    ("HEAD", &item.head),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                    ("OPTIONS", &item.options),
                    ("TRACE", &item.trace),
                ];
                let methods = declared
                    .into_iter()
                    .filter_map(|(m, op)| op.as_ref().map(|op| (m, access_of_operation(op))))
                    .collect();
                (segments(template), methods)
            })
            .collect();
        KnownRoutes { templates }
    }

    fn matching<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Template> + 'a {
        let parts: Vec<&str> = path.split('/').collect();
        self.templates.iter().filter(move |(template, _)| {
            template.len() == parts.len()
                && template.iter().zip(&parts).all(|(t, p)| match t {
                    Segment::Literal(l) => l == p,
                    Segment::Parameter => !p.is_empty(),
                })
        })
    }

    /// Who may call `method` on `path`: the operation of the template `path` matches with the
    /// most literal segments (as actix prefers `/rounds/board` to `/rounds/{id}`); `None` for a
    /// path or method no operation declares.
    pub fn access(&self, method: &str, path: &str) -> Option<Access> {
        self.matching(path)
            .filter_map(|(template, methods)| {
                let literals = template
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count();
                let access = methods.iter().find(|(m, _)| *m == method)?.1;
                Some((literals, access))
            })
            .max_by_key(|(literals, _)| *literals)
            .map(|(_, access)| access)
    }

    /// The methods declared on the templates `path` matches most closely (the most literal
    /// segments, as `access` chooses: `/households/import` is the import's path, not a
    /// household's), in `ORDER`; empty when `path` matches none (an unknown path).
    pub fn for_path(&self, path: &str) -> Vec<&'static str> {
        let literals = |template: &[Segment]| {
            template
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count()
        };
        let closest = self.matching(path).map(|(t, _)| literals(t)).max();
        let mut found = std::collections::BTreeSet::new();
        for (template, methods) in self.matching(path) {
            if Some(literals(template)) == closest {
                found.extend(methods.iter().map(|(m, _)| *m));
            }
        }
        ORDER.into_iter().filter(|m| found.contains(m)).collect()
    }
}

impl KnownRoutes {
    /// 405 `method_not_allowed` with `Allow` when `path` is an API path that does not take
    /// `method`; `None` for an unknown path or a method it takes.
    pub fn refuse_method(&self, method: &str, path: &str) -> Option<HttpResponse> {
        let methods = self.for_path(path);
        if methods.is_empty() || methods.contains(&method) {
            return None;
        }
        let allow = methods.join(", ");
        let message = format!("this path takes {allow}, not {method}");
        let mut res = ApiError::new(RefusalKind::MethodNotAllowed, message).error_response();
        res.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_str(&allow).expect("method names are header-safe"),
        );
        Some(res)
    }
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(s.to_string())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    #[test]
    fn paths_match_their_templates_segment_by_segment() {
        let allowed = KnownRoutes::from_openapi(&crate::openapi::ApiDoc::openapi());
        assert_eq!(allowed.for_path("/api/v1/policy"), ["GET", "PUT"]);
        assert_eq!(allowed.for_path("/api/v1/kiosk/login"), ["POST"]);
        assert_eq!(allowed.for_path("/api/v1/rounds/7/open"), ["POST"]);
        assert_eq!(allowed.for_path("/api/v1/units/abc"), ["GET", "PATCH"]);
        // a literal path beside a template that would take it: the literal's methods only
        assert_eq!(allowed.for_path("/api/v1/households/import"), ["POST"]);
        assert_eq!(allowed.for_path("/api/v1/households/7"), ["GET"]);
        assert_eq!(
            allowed.for_path("/api/v1/developers/3/webhook"),
            ["GET", "PUT", "DELETE"]
        );
        for unknown in [
            "/api/v1/nothing",
            "/api/v1/policy/",
            "/api/v1/units/",
            "/api/v1/units/1/2",
            "/api/v1",
            "/kiosk",
            "",
        ] {
            assert!(allowed.for_path(unknown).is_empty(), "{unknown}");
        }
    }

    #[test]
    fn access_comes_from_the_route_table_by_operation() {
        let routes = KnownRoutes::from_openapi(&crate::openapi::ApiDoc::openapi());
        assert_eq!(routes.access("GET", "/api/v1/policy"), Some(Access::Public));
        assert_eq!(routes.access("PUT", "/api/v1/policy"), Some(Access::Admin));
        assert_eq!(
            routes.access("POST", "/api/v1/kiosk/holds"),
            Some(Access::Household)
        );
        assert_eq!(routes.access("GET", "/api/v1/board"), Some(Access::Public));
        assert_eq!(
            routes.access("GET", "/api/v1/rounds/7"),
            Some(Access::Official)
        );
        assert_eq!(routes.access("DELETE", "/api/v1/policy"), None);
        assert_eq!(routes.access("GET", "/api/v1/nothing"), None);
    }
}
