//! Text analysis shared by indexing and querying: the jieba word segmenter and char n-grams.

use std::sync::OnceLock;

use jieba_rs::Jieba;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::Index;

/// Tokenizer of the word fields (jieba, search mode).
pub(crate) const WORDS: &str = "anju_words";
/// Tokenizer of the single-character field.
pub(crate) const UNIGRAMS: &str = "anju_ng1";
/// Tokenizer of the character-bigram field.
pub(crate) const BIGRAMS: &str = "anju_ng2";

/// Housing vocabulary the general dictionary cuts apart (湖景房 → 湖 / 景房).
const DOMAIN_WORDS: &[&str] = &[
    "南北通透",
    "湖景房",
    "江景房",
    "海景房",
    "河景房",
    "园景房",
    "学区房",
    "学位房",
    "地铁口",
    "地铁房",
    "近地铁",
    "双地铁",
    "精装修",
    "精装房",
    "简装修",
    "毛坯房",
    "现房",
    "期房",
    "准现房",
    "拎包入住",
    "一梯两户",
    "两梯四户",
    "一梯一户",
    "得房率",
    "容积率",
    "绿化率",
    "电梯房",
    "洋房",
    "花园洋房",
    "小高层",
    "复式",
    "跃层",
    "叠拼",
    "联排",
    "独栋",
    "车位",
    "地下车库",
    "人车分流",
    "户型方正",
    "全明户型",
    "明厨明卫",
    "低密度",
    "配套齐全",
    "三甲医院",
    "重点小学",
    "飘窗",
    "衣帽间",
    "双卫",
    "安置房",
    "商品房",
    "存量房",
    "一类区",
    "二类区",
    "三类区",
    "采光好",
    "满五唯一",
];

/// Chinese numerals for layout words: 1 → 一, 2 → 两, …
const CN_NUMBERS: [&str; 11] = [
    "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十",
];

/// The one segmenter of the process; loading the dictionary takes a noticeable fraction of a second.
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        for word in DOMAIN_WORDS {
            jieba.add_word(word, None, None);
        }
        // 三室, 三室两厅, 两厅, 两卫 … as words, so layouts in descriptions segment as such
        for rooms in &CN_NUMBERS[1..=6] {
            jieba.add_word(&format!("{rooms}室"), None, None);
            for halls in &CN_NUMBERS[1..=3] {
                jieba.add_word(&format!("{rooms}室{halls}厅"), None, None);
            }
        }
        for n in &CN_NUMBERS[1..=3] {
            jieba.add_word(&format!("{n}厅"), None, None);
            jieba.add_word(&format!("{n}卫"), None, None);
        }
        jieba
    })
}

/// The layout in Chinese numerals, e.g. 3 rooms 2 halls 2 baths → `三室两厅两卫` (zero and unknown
/// counts left out), indexed next to the canonical `3室2厅2卫` so that `三室` finds it.
pub fn layout_words(rooms: Option<i64>, halls: Option<i64>, baths: Option<i64>) -> String {
    let cn = |n: i64| match usize::try_from(n) {
        Ok(i) if i < CN_NUMBERS.len() => CN_NUMBERS[i].to_string(),
        _ => n.to_string(),
    };
    let mut out = String::new();
    for (count, unit) in [(rooms, "室"), (halls, "厅"), (baths, "卫")] {
        let count = count.unwrap_or(0);
        if count > 0 {
            out.push_str(&cn(count));
            out.push_str(unit);
        }
    }
    out
}

/// The one character normalisation of index and query: full-width ASCII to half-width, lowercase.
pub(crate) fn norm_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Characters that are searchable; everything else (space, punctuation, symbols) separates.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Normalised word text, or `None` for tokens without any letter or digit (jieba emits spaces and
/// punctuation as tokens).
pub(crate) fn norm_word(word: &str) -> Option<String> {
    if !word.chars().any(is_word_char) {
        return None;
    }
    Some(word.chars().map(norm_char).collect())
}

/// Registers the analysers on an index; needed before writing and after every open.
pub(crate) fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(WORDS, TextAnalyzer::from(WordTokenizer::default()));
    manager.register(
        UNIGRAMS,
        TextAnalyzer::from(CharGramTokenizer { bigrams: false }),
    );
    manager.register(
        BIGRAMS,
        TextAnalyzer::from(CharGramTokenizer { bigrams: true }),
    );
}

/// jieba search-mode words, lowercased, without whitespace and punctuation tokens.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.tokens.clear();
        for word in jieba().cut_for_search(text, true) {
            if let Some(norm) = norm_word(word.word) {
                self.tokens.push(Token {
                    offset_from: word.byte_start,
                    offset_to: word.byte_end,
                    position: self.tokens.len(),
                    text: norm,
                    position_length: 1,
                });
            }
        }
        VecTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

pub(crate) struct VecTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Single characters or overlapping character pairs; a token's position is the character index
/// of its first character, so a phrase of pairs at offsets 0, 2, 4 … matches exactly a contiguous
/// substring. Separators emit nothing, so no pair spans a space, punctuation or a `\n` joining two
/// source texts.
#[derive(Clone)]
pub(crate) struct CharGramTokenizer {
    bigrams: bool,
}

impl Tokenizer for CharGramTokenizer {
    type TokenStream<'a> = CharGramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CharGramStream<'a> {
        CharGramStream {
            chars: text.char_indices(),
            bigrams: self.bigrams,
            position: 0,
            prev: None,
            token: Token::default(),
        }
    }
}

pub(crate) struct CharGramStream<'a> {
    chars: std::str::CharIndices<'a>,
    bigrams: bool,
    /// Character index of the next character.
    position: usize,
    /// The previous character if it was a word character: (normalised, byte offset).
    prev: Option<(char, usize)>,
    token: Token,
}

impl TokenStream for CharGramStream<'_> {
    fn advance(&mut self) -> bool {
        for (offset, c) in self.chars.by_ref() {
            let position = self.position;
            self.position += 1;
            if !is_word_char(c) {
                self.prev = None;
                continue;
            }
            let norm = norm_char(c);
            let end = offset + c.len_utf8();
            let prev = self.prev.replace((norm, offset));
            self.token.text.clear();
            if !self.bigrams {
                self.token.text.push(norm);
                self.token.offset_from = offset;
                self.token.position = position;
            } else if let Some((first, first_offset)) = prev {
                self.token.text.push(first);
                self.token.text.push(norm);
                self.token.offset_from = first_offset;
                self.token.position = position - 1;
            } else {
                continue;
            }
            self.token.offset_to = end;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(bigrams: bool, text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = CharGramTokenizer { bigrams };
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.text.clone(), token.position));
        }
        out
    }

    #[test]
    fn bigrams_do_not_cross_separators_and_keep_char_positions() {
        let got = grams(true, "湖景 A座,Ｂ1");
        let want = [("湖景", 0), ("a座", 3), ("b1", 6)];
        assert_eq!(got, want.map(|(t, p)| (t.to_string(), p)));
        assert_eq!(grams(false, "湖 景").len(), 2);
    }

    #[test]
    fn word_tokens_keep_domain_words_and_drop_punctuation() {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream("湖景房，南北通透 ABC");
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
        assert!(words.contains(&"湖景房".to_string()), "{words:?}");
        assert!(words.contains(&"南北通透".to_string()), "{words:?}");
        assert!(words.contains(&"abc".to_string()), "{words:?}");
        assert!(
            words.iter().all(|w| w.chars().any(is_word_char)),
            "{words:?}"
        );
    }

    #[test]
    fn layout_words_use_chinese_numerals() {
        let words = |r, h, b| layout_words(Some(r), Some(h), b);
        assert_eq!(words(3, 2, Some(2)), "三室两厅两卫");
        assert_eq!(words(1, 0, Some(1)), "一室一卫");
        assert_eq!(words(12, 1, Some(1)), "12室一厅一卫");
        assert_eq!(words(3, 2, None), "三室两厅");
        assert_eq!(
            layout_words(None, None, None),
            "",
            "a parking space has no layout"
        );
    }
}
