//! A zone class (区位类别): 1 (the core), 2 or 3. Shared by the policy's ratios and the housing
//! tickets' zone bonus.

/// A zone class: 1 (core), 2 or 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Zone(u8);

impl Zone {
    pub const ALL: [Zone; 3] = [Zone(1), Zone(2), Zone(3)];

    pub fn new(z: i64) -> Option<Zone> {
        (1..=3).contains(&z).then_some(Zone(z as u8))
    }
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
    /// 0, 1 or 2: the zone's place in a table by zone.
    pub fn index(self) -> usize {
        usize::from(self.0 - 1)
    }
}
