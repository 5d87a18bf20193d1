//! Which methods each API path declares, for the `Allow` header of a 405: a request to a known
//! API path with a method no handler of that path takes answers 405 `method_not_allowed` rather
//! than 404. Built once at start-up from the OpenAPI document, whose paths are the route table's
//! (`routes::table`), so the two cannot disagree.

use utoipa::openapi::OpenApi;

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

/// Path templates (`/api/v1/units/{id}`) with the methods declared on each.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    templates: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

impl AllowedMethods {
    /// The templates and methods of every operation in `doc`.
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let templates = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let declared = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                    ("TRACE", item.trace.is_some()),
                ];
                let methods = declared
                    .into_iter()
                    .filter_map(|(m, yes)| yes.then_some(m))
                    .collect();
                (segments(template), methods)
            })
            .collect();
        AllowedMethods { templates }
    }

    /// The methods declared on the templates `path` matches, in `ORDER`; empty when `path`
    /// matches none (an unknown path).
    pub fn for_path(&self, path: &str) -> Vec<&'static str> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut found = std::collections::BTreeSet::new();
        for (template, methods) in &self.templates {
            let matches = template.len() == parts.len()
                && template.iter().zip(&parts).all(|(t, p)| match t {
                    Segment::Literal(l) => l == p,
                    Segment::Parameter => !p.is_empty(),
                });
            if matches {
                found.extend(methods.iter().copied());
            }
        }
        ORDER.into_iter().filter(|m| found.contains(m)).collect()
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
        let allowed = AllowedMethods::from_openapi(&crate::openapi::ApiDoc::openapi());
        assert_eq!(allowed.for_path("/api/v1/policy"), ["GET", "PUT"]);
        assert_eq!(allowed.for_path("/api/v1/kiosk/login"), ["POST"]);
        assert_eq!(allowed.for_path("/api/v1/rounds/7/open"), ["POST"]);
        assert_eq!(allowed.for_path("/api/v1/units/abc"), ["GET", "PATCH"]);
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
}
