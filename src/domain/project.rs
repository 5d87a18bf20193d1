//! A developer's project (楼盘) as submitted for approval, validated on construction.

use super::status::Delivery;
use super::unit_fields::{normalize_cell, trim_cell};
use super::{text_field, FieldError};

#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    pub name: String,
    pub district: String,
    pub zone_class: i32,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub presale_permit_no: String,
    pub delivery: Delivery,
    pub delivery_date: Option<String>,
    pub amenities: Vec<String>,
    pub description: String,
}

/// The raw fields of a project request, before validation.
pub struct ProjectInput<'a> {
    pub name: &'a str,
    pub district: &'a str,
    pub zone_class: i64,
    pub address: &'a str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub presale_permit_no: &'a str,
    pub delivery: &'a str,
    pub delivery_date: Option<&'a str>,
    pub amenities: &'a [String],
    pub description: &'a str,
}

pub const MAX_AMENITIES: usize = 20;

impl NewProject {
    pub fn parse(input: ProjectInput<'_>) -> Result<NewProject, Vec<FieldError>> {
        let mut errors = Vec::new();
        // names and places are text: every character kept as given (full-width punctuation,
        // emoji, rare CJK); only the permit number, a code, is folded
        let name = text_field(&mut errors, "name", trim_cell(input.name), 1, 100);
        let district = text_field(&mut errors, "district", trim_cell(input.district), 1, 30);
        if !(1..=3).contains(&input.zone_class) {
            errors.push(FieldError::new("zone_class", "must be 1, 2 or 3"));
        }
        let address = text_field(&mut errors, "address", trim_cell(input.address), 1, 200);
        if input.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            errors.push(FieldError::new("lat", "must be between -90 and 90"));
        }
        if input.lng.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
            errors.push(FieldError::new("lng", "must be between -180 and 180"));
        }
        if input.lat.is_some() != input.lng.is_some() {
            errors.push(FieldError::new("lng", "lat and lng go together"));
        }
        let presale_permit_no = text_field(
            &mut errors,
            "presale_permit_no",
            &normalize_cell(input.presale_permit_no),
            1,
            60,
        );
        let delivery = Delivery::parse(input.delivery.trim());
        if delivery.is_none() {
            errors.push(FieldError::new(
                "delivery",
                "must be ready (现房) or off_plan (期房)",
            ));
        }
        let delivery_date = match (
            delivery,
            input.delivery_date.map(str::trim).filter(|d| !d.is_empty()),
        ) {
            (Some(Delivery::OffPlan), None) => {
                errors.push(FieldError::new(
                    "delivery_date",
                    "is required for off_plan delivery",
                ));
                None
            }
            (_, Some(d)) => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) => Some(date.format("%Y-%m-%d").to_string()),
                Err(_) => {
                    errors.push(FieldError::new(
                        "delivery_date",
                        "must be a date YYYY-MM-DD",
                    ));
                    None
                }
            },
            (_, None) => None,
        };
        let mut amenities: Vec<String> = Vec::new();
        for a in input.amenities {
            let a = trim_cell(a).to_owned();
            let n = a.chars().count();
            if n == 0 || n > 20 {
                errors.push(FieldError::new(
                    "amenities",
                    "each amenity must be 1 to 20 characters",
                ));
            } else if !amenities.contains(&a) {
                amenities.push(a);
            }
        }
        if amenities.len() > MAX_AMENITIES {
            errors.push(FieldError::new(
                "amenities",
                format!("at most {MAX_AMENITIES} amenities"),
            ));
        }
        let description = text_field(
            &mut errors,
            "description",
            trim_cell(input.description),
            0,
            2000,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewProject {
            name,
            district,
            zone_class: input.zone_class as i32,
            address,
            lat: input.lat,
            lng: input.lng,
            presale_permit_no,
            delivery: delivery.expect("checked above"),
            delivery_date,
            amenities,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(amenities: &'a [String]) -> ProjectInput<'a> {
        ProjectInput {
            name: "锦园华苑",
            district: "高新区",
            zone_class: 2,
            address: "重庆路88号",
            lat: None,
            lng: None,
            presale_permit_no: "2026预字第001号",
            delivery: "off_plan",
            delivery_date: Some("2027-06-30"),
            amenities,
            description: "",
        }
    }

    #[test]
    fn a_valid_project_parses_and_dedups_amenities() {
        let am = vec!["地铁".to_string(), "学校".to_string(), "地铁".to_string()];
        let p = NewProject::parse(input(&am)).unwrap();
        assert_eq!(p.amenities, ["地铁", "学校"]);
        assert_eq!(p.delivery, Delivery::OffPlan);
    }

    #[test]
    fn text_keeps_every_character_and_the_permit_number_folds() {
        let text = "阳光花园（二期），南向！？：；😀𠀾";
        let am = vec![" 地铁（2号线） ".to_string()];
        let mut i = input(&am);
        i.name = text;
        i.address = text;
        i.district = "高新区（东）";
        i.description = text;
        i.presale_permit_no = "２０２６预字第００１号";
        let p = NewProject::parse(i).unwrap();
        assert_eq!((p.name.as_str(), p.address.as_str()), (text, text));
        assert_eq!(
            (p.district.as_str(), p.description.as_str()),
            ("高新区（东）", text)
        );
        assert_eq!(p.amenities, ["地铁（2号线）"]);
        assert_eq!(p.presale_permit_no, "2026预字第001号");
    }

    #[test]
    fn off_plan_needs_a_date_and_zone_is_1_to_3() {
        let mut i = input(&[]);
        i.delivery_date = None;
        i.zone_class = 4;
        let errors = NewProject::parse(i).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["zone_class", "delivery_date"]);
    }
}
