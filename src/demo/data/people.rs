//! Names and mobile numbers of the demo's people: developers' contacts and household heads.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃戴";
const GIVEN_NAMES: [&str; 48] = [
    "建国", "秀英", "桂英", "志强", "明", "红梅", "国华", "丽华", "海燕", "建华", "玉兰", "德明",
    "春生", "淑珍", "伟", "芳", "军", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "超",
    "霞", "平", "刚", "桂兰", "国平", "金凤", "志华", "文斌", "小红", "建平", "汉生", "爱华",
    "卫东", "红英", "家豪", "子涵", "雨萱", "浩然", "晓燕", "振华", "慧敏",
];
const PHONE_PREFIXES: [&str; 16] = [
    "139", "138", "137", "136", "135", "150", "151", "158", "159", "186", "187", "188", "130",
    "155", "133", "189",
];

pub(super) fn name(rng: &mut StdRng) -> String {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    format!(
        "{}{}",
        surnames.choose(rng).expect("non-empty"),
        GIVEN_NAMES.choose(rng).expect("non-empty")
    )
}

pub(super) fn phone(rng: &mut StdRng) -> String {
    format!(
        "{}{:08}",
        PHONE_PREFIXES.choose(rng).expect("non-empty"),
        rng.gen_range(0..100_000_000)
    )
}
