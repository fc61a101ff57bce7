//! The one error type of this crate, with the Chinese text shown to the user.

use std::fmt;

/// Everything that can go wrong while reading or writing a spreadsheet or document.
///
/// The `Display` text is a complete Simplified Chinese sentence for the user: what is wrong
/// and what to do next. Fields named `detail` carry the underlying library message for the
/// logs; it never appears in the `Display` text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SheetError {
    /// The uploaded file has no bytes.
    #[error("文件是空的（0 字节）。请检查是否选错了文件，或重新导出后再导入。")]
    EmptyFile,

    /// The file is an HTML page, as many web systems export under an `.xls` name.
    #[error(
        "该文件实际是网页（HTML）格式，不是 Excel 表格。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    )]
    HtmlPage,

    /// The file is an XML document, such as an "XML Spreadsheet 2003" export.
    #[error(
        "该文件实际是 XML 格式（例如“XML 电子表格 2003”），不是 Excel 表格。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    )]
    XmlDocument,

    /// The bytes are neither a workbook nor text.
    #[error(
        "无法识别该文件的格式：它既不是 Excel 表格（.xlsx、.xls），也不是 CSV 文本。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    )]
    UnknownFormat,

    /// The file starts like a workbook but cannot be parsed, e.g. a truncated download.
    #[error(
        "该 Excel 文件已损坏或不完整（可能没有下载完）。请重新下载，或用 Excel 打开后另存为 .xlsx 再导入。"
    )]
    Corrupt {
        /// The parser's message, for the logs.
        detail: String,
    },

    /// A zip archive that is not a workbook, such as a `.docx` or a folder of files.
    #[error(
        "该文件是压缩包或其他 Office 文档，不是 Excel 表格。请确认选择的是 .xlsx 或 .xls 文件后再导入。"
    )]
    NotAWorkbookZip,

    /// An Excel binary workbook (`.xlsb`), which this crate does not read.
    #[error(
        "该文件是 Excel 二进制工作簿（.xlsb），暂不支持导入。请用 Excel 打开后另存为 .xlsx 再导入。"
    )]
    Xlsb,

    /// An OLE2 compound file without a workbook stream, such as a `.doc` file.
    #[error(
        "该文件是 Word 等其他 Office 文档，不是 Excel 表格。请确认选择的是 .xlsx 或 .xls 文件后再导入。"
    )]
    NotAWorkbookOle,

    /// The workbook is protected by an opening password.
    #[error("该 Excel 文件设置了打开密码，无法读取。请在 Excel 中取消密码后另存为 .xlsx 再导入。")]
    Encrypted,

    /// The workbook would unpack to more bytes than the limit.
    #[error(
        "该文件解压后约 {} MB，超过导入上限 {} MB。请删除无关的工作表和图片后重新保存，或拆分成多个文件再导入。",
        megabytes(*uncompressed_bytes),
        megabytes(*limit_bytes)
    )]
    TooLarge {
        /// Sum of the declared uncompressed sizes of all archive entries.
        uncompressed_bytes: u64,
        /// The limit in force, from [`crate::ReadOptions::max_uncompressed_bytes`].
        limit_bytes: u64,
    },

    /// One archive entry unpacks to far more than it takes compressed: a zip bomb.
    #[error(
        "该文件的压缩比异常（其中一部分解压后放大了 {ratio} 倍），不像正常的 Excel 表格，已拒绝读取。请用 Excel 打开后另存为 .xlsx 再导入。"
    )]
    SuspiciousCompression {
        /// The entry's path inside the archive, for the logs.
        entry: String,
        /// Uncompressed size divided by compressed size, rounded down.
        ratio: u64,
    },

    /// The sheet has more rows than the limit.
    #[error("表格超过 {limit} 行，超出单次导入上限。请拆分成多个文件后分批导入。")]
    TooManyRows {
        /// The limit in force, from [`crate::ReadOptions::max_rows`].
        limit: u32,
    },

    /// An `.xls` workbook whose sheets span more cells than the limit.
    #[error(
        "该 .xls 文件的表格范围过大（约 {cells} 个单元格，上限 {limit} 个）。请删除多余的行列，或用 Excel 打开后另存为 .xlsx 再导入。"
    )]
    TooManyCells {
        /// Cells in the bounding boxes of all sheets, added up.
        cells: u64,
        /// The limit in force, from [`crate::ReadOptions::max_xls_cells`].
        limit: u64,
    },

    /// [`crate::ReadOptions::sheet`] names a sheet the workbook does not have.
    #[error(
        "文件中没有名为“{requested}”的工作表。可选的工作表有：{}。请检查工作表名称后重试。",
        list_or_none(visible)
    )]
    SheetNotFound {
        /// The requested name.
        requested: String,
        /// Names of the visible worksheets, in workbook order.
        visible: Vec<String>,
    },

    /// Every worksheet is hidden, or the workbook has only chart sheets.
    #[error(
        "文件中没有可见的工作表。请在 Excel 中取消隐藏要导入的工作表，或指定工作表名称后再导入。"
    )]
    NoVisibleSheet,

    /// No row among the first rows contains every required header.
    #[error(
        "在表格前 {scanned_rows} 行中没有找到表头行，表头行须同时包含这些列：{}。{}请修改表头后重新导入。",
        required.join("、"),
        describe_missing(missing)
    )]
    HeaderNotFound {
        /// How many rows from the top were searched.
        scanned_rows: u32,
        /// Display names of all required fields.
        required: Vec<String>,
        /// Required fields missing from the best candidate row, with their accepted names.
        missing: Vec<MissingHeader>,
    },

    /// The text could not be decoded as UTF-8, UTF-16 or GB18030.
    #[error(
        "无法识别该 CSV 文件的文字编码。请用 Excel 或 WPS 打开后另存为 .xlsx，或另存为“CSV UTF-8”格式再导入。"
    )]
    UnknownEncoding,

    /// The CSV text is malformed.
    #[error(
        "CSV 文件第 {line} 行格式有误：{reason}。请用 Excel 或 WPS 打开检查后另存为 .xlsx 再导入。"
    )]
    Csv {
        /// 1-based line of the record that failed.
        line: u64,
        /// The problem, in Chinese.
        reason: String,
    },

    /// An export has more rows than one worksheet takes.
    #[error(
        "导出的数据超过 Excel 单个工作表的上限（{limit} 行）。请缩小导出范围，或改为导出 CSV 文件。"
    )]
    SheetRowLimit {
        /// Data rows one worksheet takes below its header.
        limit: u32,
    },

    /// Writing an `.xlsx` file failed.
    #[error("生成 Excel 文件失败，请稍后重试；如果问题持续，请联系管理员。")]
    XlsxWrite {
        /// The writer's message, for the logs.
        detail: String,
    },

    /// Writing a `.docx` file failed.
    #[error("生成 Word 文件失败，请稍后重试；如果问题持续，请联系管理员。")]
    DocxWrite {
        /// The writer's message, for the logs.
        detail: String,
    },

    /// Writing to the output stream failed, e.g. the client closed the download.
    #[error("写出文件时出错，请稍后重试；如果问题持续，请联系管理员。")]
    Io(#[from] std::io::Error),
}

/// A required field that the best header candidate lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingHeader {
    /// The field's Chinese display name, e.g. "工号".
    pub label: String,
    /// The header texts accepted for it, e.g. ["工号", "职工号", …].
    pub aliases: Vec<String>,
}

impl fmt::Display for MissingHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted: Vec<String> = self.aliases.iter().map(|a| format!("“{a}”")).collect();
        write!(f, "“{}”列（表头可写作 {}）", self.label, quoted.join("、"))
    }
}

fn describe_missing(missing: &[MissingHeader]) -> String {
    if missing.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = missing.iter().map(ToString::to_string).collect();
    format!("最接近的一行缺少{}。", parts.join("，"))
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "（无）".to_owned()
    } else {
        names.join("、")
    }
}

/// Rounds a byte count up to whole megabytes (10^6 bytes) for a message.
fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1_000_000)
}
