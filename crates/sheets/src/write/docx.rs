//! Building official Chinese notices (通知) as `.docx` with docx-rs.
//!
//! The layout follows the common form of Chinese official documents on A4 paper. The title
//! is 方正小标宋简体 二号 (22 pt). Level-1 headings use 黑体 and level-2 headings
//! 楷体_GB2312. Body text is 仿宋_GB2312 三号 (16 pt) on a fixed 28 pt line, and tables
//! use 宋体 小四 (12 pt). Every run names its East-Asian font (`w:eastAsia`) as well as
//! its Latin font, because Word and WPS take the font of Chinese characters from the
//! East-Asian slot.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, IndentLevel, Level, LevelJc, LevelText, LineSpacing,
    LineSpacingType, NumberFormat, Numbering, NumberingId, PageMargin, Paragraph, Run, RunFonts,
    Shading, SpecialIndentType, Start, Table, TableAlignmentType, TableBorders, TableCell,
    TableRow, VAlignType, WidthType,
};

use crate::error::SheetError;

const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const BODY_FONT: &str = "仿宋_GB2312";
const TABLE_FONT: &str = "宋体";
const LATIN_FONT: &str = "Times New Roman";

/// Font sizes in half-points, as OOXML counts them.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
const TABLE_SIZE: usize = 24;

/// Fixed line height of body text, in twentieths of a point (28 pt).
const BODY_LINE_TWIPS: i32 = 560;
/// First-line indent of body paragraphs: two 16 pt characters, in twentieths of a point.
const FIRST_LINE_TWIPS: i32 = 640;

/// A4 paper and margins of 37 mm (top), 35 mm (bottom), 28 mm (left) and 26 mm (right),
/// in twentieths of a point.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
const MARGIN_TOP: i32 = 2_098;
const MARGIN_BOTTOM: i32 = 1_984;
const MARGIN_LEFT: i32 = 1_587;
const MARGIN_RIGHT: i32 = 1_474;
/// Width between the margins, which tables fill.
const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// Highlight colour of placeholders that a person must fill in before sending.
const PLACEHOLDER_HIGHLIGHT: &str = "yellow";

/// docx-rs defines numbering 1 in every document, so lists start at 2.
const FIRST_NUMBERING_ID: usize = 2;

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Text a person must supply, shown highlighted as 【请填写：…】 with this prompt.
    Placeholder(String),
}

/// A notice being built, paragraph by paragraph, in reading order.
///
/// ```
/// use xueshi_sheets::NoticeBuilder;
///
/// let bytes = NoticeBuilder::new()
///     .title("关于2022-2023学年第二学期教师培训学时认定结果的通知")
///     .addressee("各院（部）：")
///     .paragraph("现将本学期教师培训学时认定结果通知如下。")
///     .signature(&["教师发展中心", "2023年9月1日"])
///     .build()
///     .unwrap();
/// assert!(bytes.starts_with(b"PK"));
/// ```
pub struct NoticeBuilder {
    docx: Docx,
    next_numbering_id: usize,
}

impl Default for NoticeBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl NoticeBuilder {
    /// Starts an empty A4 document with official-document margins.
    pub fn new() -> Self {
        let margins = PageMargin::new()
            .top(MARGIN_TOP)
            .bottom(MARGIN_BOTTOM)
            .left(MARGIN_LEFT)
            .right(MARGIN_RIGHT);
        let docx = Docx::new()
            .page_size(PAGE_WIDTH, PAGE_HEIGHT)
            .page_margin(margins)
            .default_fonts(fonts(BODY_FONT))
            .default_size(BODY_SIZE);
        Self {
            docx,
            next_numbering_id: FIRST_NUMBERING_ID,
        }
    }

    /// Adds the centered title.
    pub fn title(self, text: &str) -> Self {
        let run = run(text, TITLE_FONT, TITLE_SIZE);
        self.push(body_spacing(
            Paragraph::new().add_run(run).align(AlignmentType::Center),
        ))
    }

    /// Adds the addressee line (主送机关, e.g. "各院（部）："), flush left.
    pub fn addressee(self, text: &str) -> Self {
        self.push(body_spacing(Paragraph::new().add_run(body_run(text))))
    }

    /// Adds a level-1 heading (e.g. "一、总体情况") in 黑体.
    pub fn heading(self, text: &str) -> Self {
        let run = run(text, HEADING_FONT, BODY_SIZE);
        self.push(indented(Paragraph::new().add_run(run)).keep_next(true))
    }

    /// Adds a level-2 heading (e.g. "（一）存在的问题") in 楷体_GB2312.
    pub fn subheading(self, text: &str) -> Self {
        let run = run(text, SUBHEADING_FONT, BODY_SIZE);
        self.push(indented(Paragraph::new().add_run(run)).keep_next(true))
    }

    /// Adds a body paragraph with a two-character first-line indent.
    pub fn paragraph(self, text: &str) -> Self {
        self.paragraph_with(&[Inline::Text(text.to_owned())])
    }

    /// Adds a body paragraph made of text and placeholders.
    pub fn paragraph_with(self, parts: &[Inline]) -> Self {
        let paragraph = parts
            .iter()
            .fold(Paragraph::new(), |p, part| p.add_run(inline_run(part)));
        self.push(indented(paragraph))
    }

    /// Adds a paragraph that is only a placeholder, e.g. for a section still to be written.
    pub fn placeholder(self, prompt: &str) -> Self {
        self.paragraph_with(&[Inline::Placeholder(prompt.to_owned())])
    }

    /// Adds a bulleted list, one paragraph per item.
    pub fn bullet_list(self, items: &[&str]) -> Self {
        self.list(items, "bullet", "●")
    }

    /// Adds a list numbered 1., 2., … that starts again at 1.
    pub fn numbered_list(self, items: &[&str]) -> Self {
        self.list(items, "decimal", "%1.")
    }

    /// Adds a centered table with borders, a bold shaded header row and centered cells,
    /// its columns sharing the text width equally. Rows shorter than the header get blank
    /// cells, so every row has the same number of cells.
    pub fn table(mut self, headers: &[&str], rows: &[Vec<String>]) -> Self {
        let columns = rows
            .iter()
            .map(Vec::len)
            .chain([headers.len()])
            .max()
            .unwrap_or(0);
        let column_width = TEXT_WIDTH / columns.max(1);
        let header_cells = (0..columns)
            .map(|i| {
                table_cell(
                    headers.get(i).copied().unwrap_or_default(),
                    column_width,
                    true,
                )
            })
            .collect();
        let mut table_rows = vec![TableRow::new(header_cells).cant_split()];
        for row in rows {
            let cells = (0..columns)
                .map(|i| table_cell(row.get(i).map_or("", String::as_str), column_width, false))
                .collect();
            table_rows.push(TableRow::new(cells).cant_split());
        }

        // NOTE: docx-rs 0.4 cannot mark the header row to repeat (w:tblHeader), so a table
        // longer than a page shows its header on the first page only.
        let table = Table::new(table_rows)
            .set_grid(vec![column_width; columns])
            .set_borders(TableBorders::new())
            .align(TableAlignmentType::Center)
            .width(column_width * columns, WidthType::Dxa);
        self.docx = self.docx.add_table(table);
        self
    }

    /// Adds right-aligned closing lines: the issuing office, then the date.
    pub fn signature(mut self, lines: &[&str]) -> Self {
        for line in lines {
            let paragraph = Paragraph::new()
                .add_run(body_run(line))
                .align(AlignmentType::Right);
            self = self.push(body_spacing(paragraph));
        }
        self
    }

    /// Packs the document and returns the `.docx` bytes.
    // TODO: the output is checked only as XML by the tests. It has not been opened in Word
    // or WPS, which are stricter than the tests about the order of run properties.
    pub fn build(self) -> Result<Vec<u8>, SheetError> {
        let mut output = Cursor::new(Vec::new());
        self.docx
            .pack(&mut output)
            .map_err(|error| SheetError::DocxWrite {
                detail: error.to_string(),
            })?;
        Ok(output.into_inner())
    }

    fn push(mut self, paragraph: Paragraph) -> Self {
        self.docx = self.docx.add_paragraph(paragraph);
        self
    }

    /// Adds a list whose items use a numbering definition of their own, so a numbered list
    /// starts at 1 and does not continue an earlier one.
    fn list(mut self, items: &[&str], format: &str, level_text: &str) -> Self {
        let id = self.next_numbering_id;
        self.next_numbering_id += 1;

        let level = Level::new(
            0,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(level_text),
            LevelJc::new("left"),
        )
        .indent(
            Some(1280),
            Some(SpecialIndentType::Hanging(420)),
            None,
            None,
        )
        .fonts(fonts(BODY_FONT));
        self.docx = self
            .docx
            .add_abstract_numbering(AbstractNumbering::new(id).add_level(level))
            .add_numbering(Numbering::new(id, id));

        for item in items {
            let paragraph = Paragraph::new()
                .add_run(body_run(item))
                .numbering(NumberingId::new(id), IndentLevel::new(0));
            self = self.push(body_spacing(paragraph));
        }
        self
    }
}

/// Names the Latin and East-Asian fonts of a run.
fn fonts(east_asian: &str) -> RunFonts {
    RunFonts::new()
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
        .cs(LATIN_FONT)
        .east_asia(east_asian)
}

fn run(text: &str, east_asian_font: &str, size: usize) -> Run {
    Run::new()
        .add_text(text)
        .fonts(fonts(east_asian_font))
        .size(size)
}

fn body_run(text: &str) -> Run {
    run(text, BODY_FONT, BODY_SIZE)
}

fn inline_run(part: &Inline) -> Run {
    match part {
        Inline::Text(text) => body_run(text),
        Inline::Placeholder(prompt) => {
            body_run(&format!("【请填写：{prompt}】")).highlight(PLACEHOLDER_HIGHLIGHT)
        }
    }
}

fn body_spacing(paragraph: Paragraph) -> Paragraph {
    paragraph.line_spacing(
        LineSpacing::new()
            .line(BODY_LINE_TWIPS)
            .line_rule(LineSpacingType::Exact),
    )
}

fn indented(paragraph: Paragraph) -> Paragraph {
    body_spacing(paragraph).indent(
        None,
        Some(SpecialIndentType::FirstLine(FIRST_LINE_TWIPS)),
        None,
        None,
    )
}

fn table_cell(text: &str, width: usize, is_header: bool) -> TableCell {
    let mut run = run(text, TABLE_FONT, TABLE_SIZE);
    if is_header {
        run = run.bold();
    }
    let cell = TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(Paragraph::new().add_run(run).align(AlignmentType::Center))
        .vertical_align(VAlignType::Center);
    if is_header {
        cell.shading(Shading::new().fill("D9D9D9"))
    } else {
        cell
    }
}
