//! Similarity of training topics, on character bigrams.
//!
//! Chinese titles have no spaces between words, so words are not compared: two
//! characters in a row are. Reordered titles ("专题培训：课程思政" and "课程思政专题培训")
//! keep most of their bigrams, and so do titles with a year or a word added or dropped.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

/// Jaccard similarity, in percent, from which two topics of one teacher with overlapping
/// dates are flagged as possibly the same training.
///
/// Forty rather than fifty, because a title and its short form share fewer than half
/// their bigrams ("国家级一流课程申报专题讲座" and "一流课程申报讲座" score 46), while
/// different trainings score well below: the tests of this module show both.
pub const DEFAULT_SIMILAR_TOPIC_PERCENT: u32 = 40;

/// Normalizes a topic for comparison: NFKC, lower case, and only letters and digits kept,
/// so spaces and punctuation of either width are dropped.
pub fn normalize_topic(raw: &str) -> String {
    raw.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A bigram, or the single character of a one-character topic.
type Gram = (char, Option<char>);

/// The set of character bigrams of a normalized topic. A one-character topic has its
/// character as its only gram, and an empty topic has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicGrams(BTreeSet<Gram>);

impl TopicGrams {
    pub fn new(topic: &str) -> Self {
        let chars: Vec<char> = normalize_topic(topic).chars().collect();
        let grams = match chars.as_slice() {
            [] => BTreeSet::new(),
            [only] => BTreeSet::from([(*only, None)]),
            _ => chars
                .windows(2)
                .map(|pair| (pair[0], Some(pair[1])))
                .collect(),
        };
        Self(grams)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares two gram sets by Jaccard: shared grams over all distinct grams.
    pub fn similarity(&self, other: &TopicGrams) -> Similarity {
        let shared = self.0.intersection(&other.0).count();
        let union = self.0.len() + other.0.len() - shared;
        Similarity {
            shared: shared as u64,
            union: union as u64,
        }
    }
}

/// A Jaccard similarity kept as an exact fraction, so threshold comparisons involve no
/// rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Similarity {
    pub shared: u64,
    pub union: u64,
}

impl Similarity {
    /// Returns the similarity as a number from 0 to 1, for display; 0 when both topics
    /// are empty.
    pub fn ratio(self) -> f64 {
        if self.union == 0 {
            0.0
        } else {
            self.shared as f64 / self.union as f64
        }
    }

    /// Returns whether the similarity is at least `percent` percent, compared exactly by
    /// cross-multiplication. Two empty topics are never similar.
    pub fn is_at_least_percent(self, percent: u32) -> bool {
        self.union > 0
            && u128::from(self.shared) * 100 >= u128::from(percent) * u128::from(self.union)
    }
}

/// Compares two topics by the Jaccard similarity of their character bigrams.
pub fn topic_similarity(a: &str, b: &str) -> Similarity {
    TopicGrams::new(a).similarity(&TopicGrams::new(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn similar(a: &str, b: &str) -> bool {
        topic_similarity(a, b).is_at_least_percent(DEFAULT_SIMILAR_TOPIC_PERCENT)
    }

    #[test]
    fn normalization_drops_spaces_and_punctuation() {
        assert_eq!(
            normalize_topic("《课程思政》专题培训（第２期）： AI 赋能"),
            "课程思政专题培训第2期ai赋能"
        );
    }

    #[test]
    fn identical_topics_score_one() {
        let score = topic_similarity("混合式教学设计工作坊", "混合式教学设计工作坊");
        assert_eq!(score.ratio(), 1.0);
    }

    #[test]
    fn punctuation_and_width_do_not_count() {
        let score = topic_similarity(
            "名师之道——国家级一流课程申报",
            "名师之道：国家级一流课程申报 ",
        );
        assert_eq!(score.ratio(), 1.0);
    }

    #[test]
    fn reordered_title_is_similar() {
        assert!(similar("课程思政专题培训", "专题培训：课程思政"));
    }

    #[test]
    fn title_with_added_words_is_similar() {
        assert!(similar("新工科建设研讨", "新工科建设研讨会"));
        assert!(similar(
            "教育部产学合作协同育人项目培训",
            "产学合作协同育人项目培训"
        ));
        assert!(similar(
            "混合式教学设计工作坊",
            "混合式教学设计工作坊（第二期）"
        ));
        assert!(similar(
            "2023年高校教师教学能力提升专题培训",
            "高校教师教学能力提升培训"
        ));
    }

    #[test]
    fn abbreviated_title_is_similar() {
        assert!(similar("国家级一流课程申报专题讲座", "一流课程申报讲座"));
        assert!(similar(
            "智慧教学工具雨课堂应用培训",
            "雨课堂智慧教学工具应用"
        ));
    }

    #[test]
    fn unrelated_topics_are_not_similar() {
        assert!(!similar("课程思政专题培训", "教学能力提升培训"));
        assert!(!similar("高校教师岗前培训", "产教融合主题培训"));
        assert!(!similar("企业实践锻炼", "人文社科学术研讨会"));
        assert!(!similar("教学能力比赛经验分享", "教学能力提升培训"));
    }

    #[test]
    fn same_year_prefix_does_not_make_similar() {
        assert!(!similar(
            "2023年教师信息化教学能力培训",
            "2023年课程思政建设专题培训"
        ));
    }

    #[test]
    fn series_of_other_subject_is_not_similar() {
        assert!(!similar("数字媒体艺术专业系列讲座", "音乐专业系列讲座"));
    }

    #[test]
    fn one_character_topics() {
        assert_eq!(topic_similarity("讲", "讲").ratio(), 1.0);
        assert_eq!(topic_similarity("讲", "讲座").ratio(), 0.0);
        assert_eq!(TopicGrams::new("讲").len(), 1);
    }

    #[test]
    fn empty_topics_are_never_similar() {
        let score = topic_similarity("", "——");
        assert_eq!(score.ratio(), 0.0);
        assert!(!score.is_at_least_percent(0));
    }

    #[test]
    fn threshold_compares_exactly() {
        let half = Similarity {
            shared: 1,
            union: 2,
        };
        assert!(half.is_at_least_percent(50));
        assert!(!half.is_at_least_percent(51));
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "\\PC{0,20}", b in "\\PC{0,20}") {
            let ab = topic_similarity(&a, &b);
            let ba = topic_similarity(&b, &a);
            prop_assert_eq!(ab, ba);
            prop_assert!(ab.shared <= ab.union);
        }

        #[test]
        fn topic_is_fully_similar_to_itself(topic in "[\\u4e00-\\u9fa5a-z0-9]{1,20}") {
            prop_assert!(topic_similarity(&topic, &topic).is_at_least_percent(100));
        }
    }
}
