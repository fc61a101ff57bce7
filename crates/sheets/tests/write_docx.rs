//! Building a feedback notice as `.docx` and checking the XML that Word and WPS read.

mod support;

use support::zip_entry;
use xueshi_sheets::{Inline, NoticeBuilder};

const TITLE: &str = "关于2022-2023学年第二学期教师培训学时认定情况的通报";

fn notice() -> Vec<u8> {
    let rows = vec![
        vec![
            "音乐学院".to_owned(),
            "406".to_owned(),
            "365".to_owned(),
            "90%".to_owned(),
        ],
        vec![
            "思政部".to_owned(),
            "330".to_owned(),
            "295".to_owned(),
            "89%".to_owned(),
        ],
        vec!["合计".to_owned(), "736".to_owned(), "660".to_owned()],
    ];
    NoticeBuilder::new()
        .title(TITLE)
        .addressee("各院（部）：")
        .paragraph("本学期教师培训学时认定工作已经结束，现将有关情况通报如下。")
        .heading("一、总体情况")
        .paragraph_with(&[
            Inline::Text("本学期共申报".to_owned()),
            Inline::Placeholder("申报项数".to_owned()),
            Inline::Text("项。".to_owned()),
        ])
        .table(&["单位", "申报数", "通过数", "通过率"], &rows)
        .subheading("（一）存在的问题")
        .bullet_list(&["培训类别与主题不符", "佐证材料不足"])
        .heading("二、下一步工作")
        .numbered_list(&["建立培训台账", "及时备案"])
        .placeholder("典型经验")
        .signature(&["教师发展中心", "2023年9月1日"])
        .build()
        .unwrap()
}

fn document_xml() -> String {
    zip_entry(&notice(), "word/document.xml").expect("the package has word/document.xml")
}

#[test]
fn document_contains_every_text() {
    let xml = document_xml();

    for text in [
        TITLE,
        "各院（部）：",
        "一、总体情况",
        "（一）存在的问题",
        "佐证材料不足",
        "及时备案",
        "教师发展中心",
        "2023年9月1日",
    ] {
        assert!(xml.contains(text), "missing {text}");
    }
}

#[test]
fn table_has_header_and_rows() {
    let xml = document_xml();

    assert_eq!(xml.matches("<w:tbl>").count(), 1);
    assert_eq!(xml.matches("<w:tr>").count(), 4);
    // The short 合计 row is padded, so every row has four cells.
    assert_eq!(xml.matches("<w:tc>").count(), 16);
    assert!(xml.contains("<w:tblBorders>"), "table has no borders");
    assert_eq!(xml.matches(r#"<w:vAlign w:val="center" />"#).count(), 16);
    assert_eq!(xml.matches("<w:gridCol ").count(), 4);
}

#[test]
fn every_run_names_east_asian_font() {
    let xml = document_xml();
    let runs: Vec<&str> = xml.split("<w:r>").skip(1).collect();

    assert!(runs.len() > 20, "only {} runs", runs.len());
    for run in runs {
        let properties = run.split("</w:r>").next().unwrap();
        assert!(
            properties.contains("w:eastAsia=\""),
            "run without eastAsia font: {properties}"
        );
    }
}

#[test]
fn fonts_follow_official_style() {
    let xml = document_xml();

    assert!(xml.contains(r#"w:eastAsia="方正小标宋简体""#));
    assert!(xml.contains(r#"w:eastAsia="黑体""#));
    assert!(xml.contains(r#"w:eastAsia="楷体_GB2312""#));
    assert!(xml.contains(r#"w:eastAsia="仿宋_GB2312""#));
}

#[test]
fn placeholders_are_highlighted() {
    let xml = document_xml();
    let placeholder = xml
        .find("【请填写：申报项数】")
        .expect("placeholder text present");
    let run_start = xml[..placeholder].rfind("<w:r>").unwrap();

    assert!(xml[run_start..placeholder].contains("<w:highlight w:val=\"yellow\""));
    assert!(xml.contains("【请填写：典型经验】"));
}

#[test]
fn title_centered_signature_right() {
    let xml = document_xml();
    let title = xml.find(TITLE).unwrap();
    let title_paragraph = &xml[xml[..title].rfind("<w:p ").unwrap()..title];
    let date = xml.find("2023年9月1日").unwrap();
    let date_paragraph = &xml[xml[..date].rfind("<w:p ").unwrap()..date];

    assert!(
        title_paragraph.contains(r#"<w:jc w:val="center""#),
        "{title_paragraph}"
    );
    assert!(
        date_paragraph.contains(r#"<w:jc w:val="right""#),
        "{date_paragraph}"
    );
}

#[test]
fn lists_use_their_own_numbering() {
    let bytes = notice();
    let xml = zip_entry(&bytes, "word/document.xml").unwrap();
    let numbering = zip_entry(&bytes, "word/numbering.xml").unwrap();

    assert_eq!(xml.matches("<w:numPr>").count(), 4);
    assert!(
        numbering.contains(r#"<w:numFmt w:val="bullet""#),
        "{numbering}"
    );
    assert!(
        numbering.contains(r#"<w:numFmt w:val="decimal""#),
        "{numbering}"
    );
}
