//! A developer's application for admission to the hall, validated on construction.

use super::credit_code::CreditCode;
use super::mask::parse_phone;
use super::{text_field, FieldError};

#[derive(Debug, Clone)]
pub struct NewDeveloper {
    name: String,
    credit_code: CreditCode,
    contact_name: String,
    contact_phone: String,
}

impl NewDeveloper {
    pub fn parse(
        name: &str,
        credit_code: &str,
        contact_name: &str,
        contact_phone: &str,
    ) -> Result<NewDeveloper, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text_field(&mut errors, "name", name, 2, 100);
        let credit_code = CreditCode::parse(credit_code)
            .map_err(|m| errors.push(FieldError::new("credit_code", m)))
            .ok();
        let contact_name = text_field(&mut errors, "contact_name", contact_name, 1, 30);
        let contact_phone = parse_phone(contact_phone)
            .map_err(|m| errors.push(FieldError::new("contact_phone", m)))
            .ok();
        match (credit_code, contact_phone) {
            (Some(credit_code), Some(contact_phone)) if errors.is_empty() => Ok(NewDeveloper {
                name,
                credit_code,
                contact_name,
                contact_phone,
            }),
            _ => Err(errors),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn credit_code(&self) -> &str {
        self.credit_code.as_str()
    }
    pub fn contact_name(&self) -> &str {
        &self.contact_name
    }
    pub fn contact_phone(&self) -> &str {
        &self.contact_phone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported() {
        let errors = NewDeveloper::parse("", "91350100M000100Y44", "", "123").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "credit_code", "contact_name", "contact_phone"]
        );
    }

    #[test]
    fn a_valid_application_parses() {
        let d = NewDeveloper::parse(
            " 锦园置业有限公司 ",
            "91350100M000100Y43",
            "李四",
            "13912345678",
        )
        .unwrap();
        assert_eq!(d.name(), "锦园置业有限公司");
        assert_eq!(d.credit_code(), "91350100M000100Y43");
    }
}
