//! Word cells: orientation, decoration and listed status.

const ORIENTATIONS: [(&str, &str); 10] = [
    ("东", "east"),
    ("南", "south"),
    ("西", "west"),
    ("北", "north"),
    ("东南", "southeast"),
    ("东北", "northeast"),
    ("西南", "southwest"),
    ("西北", "northwest"),
    ("南北", "northsouth"),
    ("东西", "eastwest"),
];

/// Canonical orientation word (东 南 西 北 东南 东北 西南 西北 南北 东西) from Chinese, with an
/// optional 朝 prefix or 向 suffix, or English such as `South`, `south-east`, `north-south`.
pub fn parse_orientation(s: &str) -> Result<String, String> {
    let s = s.trim();
    let zh = s.strip_prefix('朝').unwrap_or(s);
    let zh = zh.strip_suffix('向').unwrap_or(zh);
    let zh = if zh == "南北通透" { "南北" } else { zh };
    let en: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let en = if en == "southnorth" {
        "northsouth"
    } else {
        &en
    };
    ORIENTATIONS
        .iter()
        .find(|(z, e)| *z == zh || *e == en)
        .map(|(z, _)| (*z).to_owned())
        .ok_or_else(|| "must be one of 东 南 西 北 东南 东北 西南 西北 南北 东西".to_owned())
}

/// Finish of a flat on handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decoration {
    Rough,
    Basic,
    Fine,
}

impl Decoration {
    /// From 毛坯 / 简装 / 精装 (also 毛坯房, 简装修, 精装修) or rough / basic / fine.
    pub fn parse(s: &str) -> Result<Decoration, String> {
        let s = s.trim();
        match s {
            "毛坯" | "毛坯房" => return Ok(Decoration::Rough),
            "简装" | "简装修" => return Ok(Decoration::Basic),
            "精装" | "精装修" => return Ok(Decoration::Fine),
            _ => {}
        }
        [Decoration::Rough, Decoration::Basic, Decoration::Fine]
            .into_iter()
            .find(|d| s.eq_ignore_ascii_case(d.as_str()))
            .ok_or_else(|| "must be 毛坯, 简装 or 精装 (rough, basic, fine)".to_owned())
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Decoration::Rough => "rough",
            Decoration::Basic => "basic",
            Decoration::Fine => "fine",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Decoration::Rough => "毛坯",
            Decoration::Basic => "简装",
            Decoration::Fine => "精装",
        }
    }
}

/// Whether a developer offers a unit in the hall; holds and sales are tracked elsewhere.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ListedStatus {
    #[default]
    Available,
    Withdrawn,
}

impl ListedStatus {
    /// From 可售 / available or 不可售 / withdrawn.
    pub fn parse(s: &str) -> Result<ListedStatus, String> {
        let s = s.trim();
        if s == "可售" || s.eq_ignore_ascii_case("available") {
            Ok(ListedStatus::Available)
        } else if s == "不可售" || s.eq_ignore_ascii_case("withdrawn") {
            Ok(ListedStatus::Withdrawn)
        } else {
            Err("must be 可售 / available or 不可售 / withdrawn".to_owned())
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ListedStatus::Available => "available",
            ListedStatus::Withdrawn => "withdrawn",
        }
    }
}
