//! The center's dashboard: pass rate by unit, rejection reasons stacked by unit, and the
//! trend across terms, each an ECharts chart with its numbers in a table beside it.
//!
//! The chart data travels in `<script type="application/json">` elements that
//! `static/charts.js` reads, because the content security policy allows no inline
//! script. The tables carry the same numbers and need no script.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use xueshi_store::reports;

use super::breakdowns::{ReasonMatrix, reason_matrix};
use super::overview::RowView;
use super::picker::{Picker, ReportQuery, Scope};
use super::term::select_term;
use super::{percent, script_json, table};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Query;
use crate::page::Page;

/// What `charts.js` draws: one category axis (`labels`), value axes and series.
#[derive(Debug, serde::Serialize)]
struct ChartSpec {
    /// Bars run left to right with the labels down the side, which fits long unit names
    /// on a phone.
    horizontal: bool,
    labels: Vec<String>,
    axes: Vec<AxisSpec>,
    series: Vec<SeriesSpec>,
}

#[derive(Debug, serde::Serialize)]
struct AxisSpec {
    name: &'static str,
    /// Values are whole percents, shown with "%" and capped at 100.
    percent: bool,
}

#[derive(Debug, serde::Serialize)]
struct SeriesSpec {
    name: String,
    /// `bar` or `line`.
    kind: &'static str,
    /// Series with the same stack name are stacked.
    stack: Option<&'static str>,
    /// Index into `axes`.
    axis: usize,
    values: Vec<u64>,
}

/// One term of the trend table.
pub struct TrendView {
    pub term: String,
    pub submitted: u64,
    pub passed: u64,
    pub rejected: u64,
    pub rate: String,
    pub in_review: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard.html")]
pub struct DashboardPage {
    page: Page,
    picker: Picker,
    rows: Vec<RowView>,
    total: RowView,
    matrix: ReasonMatrix,
    trend: Vec<TrendView>,
    pass_rate_chart: String,
    reasons_chart: String,
    trend_chart: String,
}

/// Shows the charts of a term and the trend across all terms.
pub async fn dashboard(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<DashboardPage> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let code = selection.term.code;
    let unit_table = table::load(&mut conn, code).await?;
    let reason_counts = reports::rejection_reasons(&mut conn, code, None).await?;
    let trend = reports::trend(&mut conn).await?;
    let picker = Picker::new(&user, "/reports/dashboard", &selection, &Scope::School, &[]);

    let unit_names: Vec<String> = unit_table.rows.iter().map(|row| row.unit.clone()).collect();
    let matrix = reason_matrix(&reason_counts, &Scope::School, &unit_names);

    let pass_rate = ChartSpec {
        horizontal: true,
        labels: unit_names,
        axes: vec![AxisSpec {
            name: "通过率",
            percent: true,
        }],
        series: vec![SeriesSpec {
            name: "通过率".to_owned(),
            kind: "bar",
            stack: None,
            axis: 0,
            values: unit_table
                .rows
                .iter()
                .map(|row| u64::from(row.pass_rate_percent))
                .collect(),
        }],
    };
    let reasons = ChartSpec {
        horizontal: true,
        labels: matrix.rows.iter().map(|row| row.unit.clone()).collect(),
        axes: vec![AxisSpec {
            name: "未通过项目数",
            percent: false,
        }],
        series: matrix
            .reasons
            .iter()
            .enumerate()
            .map(|(column, reason)| SeriesSpec {
                name: reason.clone(),
                kind: "bar",
                stack: Some("reasons"),
                axis: 0,
                values: matrix.rows.iter().map(|row| row.counts[column]).collect(),
            })
            .collect(),
    };
    let trend_chart = ChartSpec {
        horizontal: false,
        labels: trend.iter().map(|term| term.term.label()).collect(),
        axes: vec![
            AxisSpec {
                name: "项目数",
                percent: false,
            },
            AxisSpec {
                name: "通过率",
                percent: true,
            },
        ],
        series: vec![
            SeriesSpec {
                name: "通过认定".to_owned(),
                kind: "bar",
                stack: Some("outcome"),
                axis: 0,
                values: trend.iter().map(|term| term.accredited).collect(),
            },
            SeriesSpec {
                name: "未通过认定".to_owned(),
                kind: "bar",
                stack: Some("outcome"),
                axis: 0,
                values: trend.iter().map(|term| term.rejected).collect(),
            },
            SeriesSpec {
                name: "通过率".to_owned(),
                kind: "line",
                stack: None,
                axis: 1,
                values: trend
                    .iter()
                    .map(|term| u64::from(term.pass_rate_percent()))
                    .collect(),
            },
        ],
    };

    Ok(DashboardPage {
        page: page.titled(format!("{}统计图", picker.term_label)),
        picker,
        rows: unit_table.rows.iter().map(RowView::from).collect(),
        total: RowView::from(&unit_table.total),
        matrix,
        trend: trend
            .iter()
            .map(|term| TrendView {
                term: term.term.label(),
                submitted: term.submitted(),
                passed: term.accredited,
                rejected: term.rejected,
                rate: percent(term.pass_rate_percent()),
                in_review: term.in_review,
            })
            .collect(),
        pass_rate_chart: script_json(&pass_rate),
        reasons_chart: script_json(&reasons),
        trend_chart: script_json(&trend_chart),
    })
}
