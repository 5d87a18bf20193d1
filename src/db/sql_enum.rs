//! The domain's status enums as text columns of `AnyConnection` (both backends): bound as their
//! text, read back through `parse`. A stored value no variant knows is an error naming the column and the value
//! (and, where one row is loaded, the row: `db::named_row`), never a default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::sql_types::{Nullable, Text};

use super::AnyConnection;

type Multi = <AnyConnection as diesel::Connection>::Backend;

/// Reads `T` from a text column: the stored text, parsed.
fn parse_stored<T>(
    text: String,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> deserialize::Result<T> {
    parse(&text).ok_or_else(|| format!("{column} holds an unknown value {text:?}").into())
}

macro_rules! text_enum {
    // `parse` reads exactly the stored text: a `fn(&str) -> Option<Self>` (first: the list arm
    // below would take `parse` for a type and fail for good)
    ($ty:ty => $column:literal, parse $parse:expr) => {
        impl AsExpression<Text> for $ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }
        impl AsExpression<Text> for &$ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }
        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }
        impl AsExpression<Nullable<Text>> for &$ty {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }
        impl FromSql<Text, Multi> for $ty {
            fn from_sql(bytes: <Multi as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse_stored(<String as FromSql<Text, Multi>>::from_sql(bytes)?, $column, $parse)
            }
        }
        impl Queryable<Text, Multi> for $ty {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    };
    ($($ty:ty => $column:literal),+ $(,)?) => {$(
        text_enum!($ty => $column, parse <$ty>::parse);
    )+};
}

text_enum!(
    crate::domain::status::DeveloperStatus => "developers.status",
    crate::domain::status::ProjectStatus => "projects.status",
    crate::domain::status::UnitStatus => "units.status",
    crate::domain::status::OfficialRole => "officials.role",
    crate::domain::status::Delivery => "units.delivery",
    crate::domain::selection::RoundStatus => "rounds.status",
    crate::domain::selection::Ordering => "rounds.ordering",
    crate::domain::selection::ReservationStatus => "reservations.status",
    crate::domain::webhook::DeliveryStatus => "webhook_deliveries.status",
    crate::domain::status::TicketStatus => "tickets.status",
);
// the codes only: `Usage::parse` also takes an upload's Chinese names and any case
text_enum!(crate::domain::usage::Usage => "units.usage", parse crate::domain::usage::Usage::from_code);

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use crate::db::{in_row, AnyConnection};
    use crate::domain::selection::ReservationStatus;
    use crate::domain::status::UnitStatus;

    fn memory() -> AnyConnection {
        AnyConnection::Sqlite(SqliteConnection::establish(":memory:").expect("in-memory sqlite"))
    }

    #[test]
    fn a_known_status_reads_back_as_its_variant() {
        let mut conn = memory();
        let s: UnitStatus = diesel::select(sql::<Text>("'held'"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(s, UnitStatus::Held);
        let s: ReservationStatus = diesel::select(ReservationStatus::Confirmed.into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(s, ReservationStatus::Confirmed, "bound as its text");
    }

    #[test]
    fn an_unknown_status_is_an_error_naming_column_value_and_row_never_a_default() {
        let mut conn = memory();
        let read = diesel::select(sql::<Text>("'gone'")).get_result::<UnitStatus>(&mut conn);
        let err = in_row(read, "units", 42).expect_err("no variant is 'gone'");
        let message = err.to_string();
        assert!(message.starts_with("units row 42: "), "{message}");
        assert!(
            message.ends_with(r#": units.status holds an unknown value "gone""#),
            "{message}"
        );
    }

    #[test]
    fn a_usage_reads_back_from_its_code_only() {
        use crate::domain::usage::Usage;
        let mut conn = memory();
        let u: Usage = diesel::select(Usage::Parking.into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(u, Usage::Parking);
        for stored in ["'车位'", "'Parking'"] {
            let read = diesel::select(sql::<Text>(stored)).get_result::<Usage>(&mut conn);
            assert!(
                read.is_err(),
                "{stored} is an upload's spelling, never stored"
            );
        }
    }
}
