//! Status state machines of developers, projects and units, and which transitions are allowed.

macro_rules! string_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(DeveloperStatus { Pending => "pending", Approved => "approved", Suspended => "suspended" });
string_enum!(ProjectStatus { Pending => "pending", Approved => "approved", Rejected => "rejected", Closed => "closed" });
string_enum!(UnitStatus { Available => "available", Held => "held", Reserved => "reserved", Sold => "sold", Withdrawn => "withdrawn" });
string_enum!(OfficialRole { Admin => "admin", Viewer => "viewer" });
string_enum!(Delivery { Ready => "ready", OffPlan => "off_plan" });
// `expired` is never stored: a ticket past its validity reads as expired (`db::tickets`)
string_enum!(TicketStatus { Active => "active", Exhausted => "exhausted", Expired => "expired", CashedOut => "cashed_out", Void => "void" });

impl DeveloperStatus {
    /// `pending → approved ⇄ suspended`; approving an approved developer is a no-op refusal.
    pub fn can_become(self, to: DeveloperStatus) -> bool {
        use DeveloperStatus::*;
        matches!(
            (self, to),
            (Pending, Approved) | (Suspended, Approved) | (Approved, Suspended)
        )
    }
}

impl ProjectStatus {
    /// `pending → approved | rejected`; a rejected project may be approved after review.
    pub fn can_become(self, to: ProjectStatus) -> bool {
        use ProjectStatus::*;
        matches!(
            (self, to),
            (Pending, Approved) | (Pending, Rejected) | (Rejected, Approved)
        )
    }
}

impl UnitStatus {
    /// Held, reserved and sold units belong to a household's selection: their developer cannot
    /// change or re-upload them.
    pub fn is_locked(self) -> bool {
        matches!(
            self,
            UnitStatus::Held | UnitStatus::Reserved | UnitStatus::Sold
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn developer_transitions_follow_pending_approved_suspended() {
        use DeveloperStatus::*;
        assert!(Pending.can_become(Approved));
        assert!(Approved.can_become(Suspended));
        assert!(Suspended.can_become(Approved));
        assert!(!Pending.can_become(Suspended));
        assert!(!Approved.can_become(Approved));
    }

    #[test]
    fn project_transitions() {
        use ProjectStatus::*;
        assert!(Pending.can_become(Approved));
        assert!(Pending.can_become(Rejected));
        assert!(!Approved.can_become(Rejected));
        assert!(!Closed.can_become(Approved));
    }

    #[test]
    fn strings_round_trip() {
        for s in ["available", "held", "reserved", "sold", "withdrawn"] {
            assert_eq!(UnitStatus::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(Delivery::parse("off_plan"), Some(Delivery::OffPlan));
        assert_eq!(UnitStatus::parse("gone"), None);
    }
}
