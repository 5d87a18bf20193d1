//! A unit's usage (用途) with its layout: a flat always has rooms and halls, while a shop, an
//! office or a parking space may have none (docs/spec: housing tickets, "Unit usage").

use super::Layout;
use crate::domain::usage::Usage;

/// What a unit is for and how it is laid out; a residential unit without a layout cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UsageLayout {
    usage: Usage,
    layout: Option<Layout>,
}

impl UsageLayout {
    /// Refuses a residential unit without a layout (the database's `CHECK` says the same).
    pub fn new(usage: Usage, layout: Option<Layout>) -> Result<UsageLayout, String> {
        if usage == Usage::Residential && layout.is_none() {
            return Err(
                "is required for a residential unit (住宅); only a commercial, office or parking \
                 unit may leave it empty"
                    .to_owned(),
            );
        }
        Ok(UsageLayout { usage, layout })
    }

    /// A flat with `layout`.
    pub fn residential(layout: Layout) -> UsageLayout {
        UsageLayout {
            usage: Usage::Residential,
            layout: Some(layout),
        }
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }

    pub fn layout(&self) -> Option<Layout> {
        self.layout
    }

    /// `None` for a unit without a layout.
    pub fn rooms(&self) -> Option<u8> {
        self.layout.map(|l| l.rooms())
    }

    pub fn halls(&self) -> Option<u8> {
        self.layout.map(|l| l.halls())
    }

    /// `None` without a layout, or when the layout named no bathrooms.
    pub fn baths(&self) -> Option<u8> {
        self.layout.and_then(|l| l.baths())
    }

    /// The canonical layout text (`3室2厅2卫`), empty for a unit without a layout.
    pub fn layout_text(&self) -> String {
        self.layout.map(|l| l.text()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_needs_a_layout_and_the_others_may_go_without() {
        let flat = Layout::parse("3室2厅").unwrap();
        assert!(UsageLayout::new(Usage::Residential, None).is_err());
        let home = UsageLayout::new(Usage::Residential, Some(flat)).unwrap();
        assert_eq!(home, UsageLayout::residential(flat));
        assert_eq!(
            (home.rooms(), home.halls(), home.baths()),
            (Some(3), Some(2), None)
        );
        assert_eq!(home.layout_text(), "3室2厅");
        for usage in [Usage::Commercial, Usage::Office, Usage::Parking] {
            let bare = UsageLayout::new(usage, None).unwrap();
            assert_eq!(
                (bare.usage(), bare.rooms(), bare.halls(), bare.baths()),
                (usage, None, None, None)
            );
            assert_eq!(bare.layout_text(), "");
            let laid_out = UsageLayout::new(usage, Some(flat)).unwrap();
            assert_eq!(
                laid_out.layout(),
                Some(flat),
                "an office may name its rooms"
            );
        }
    }
}
