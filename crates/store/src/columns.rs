//! Decoding of the column conventions (dates as text, hours as tenths, flags as 0/1) and
//! of enum names stored as text. A stored value that the types reject becomes
//! `StoreError::Other` naming the column, never a panic.

use std::fmt::Display;
use std::str::FromStr;

use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use xueshi_core::{Hours, TermCode};

use crate::{Result, StoreError};

/// Builds the error for a stored value that does not parse.
pub(crate) fn corrupt(column: &str, value: &str, problem: impl Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!(
        "invalid value {value:?} in column {column}: {problem}"
    ))
}

pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String> {
    Ok(row.try_get(column)?)
}

pub(crate) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>> {
    Ok(row.try_get(column)?)
}

pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64> {
    Ok(row.try_get(column)?)
}

pub(crate) fn opt_int(row: &AnyRow, column: &str) -> Result<Option<i64>> {
    Ok(row.try_get(column)?)
}

/// Reads a SMALLINT 0/1 flag.
pub(crate) fn flag(row: &AnyRow, column: &str) -> Result<bool> {
    Ok(int(row, column)? != 0)
}

pub(crate) fn hours(row: &AnyRow, column: &str) -> Result<Hours> {
    Ok(Hours::from_tenths(int(row, column)?))
}

pub(crate) fn opt_hours(row: &AnyRow, column: &str) -> Result<Option<Hours>> {
    Ok(opt_int(row, column)?.map(Hours::from_tenths))
}

pub(crate) fn parse_date(column: &str, value: &str) -> Result<Date> {
    value
        .parse::<Date>()
        .map_err(|error| corrupt(column, value, error))
}

/// Reads a `YYYY-MM-DD` date.
pub(crate) fn date(row: &AnyRow, column: &str) -> Result<Date> {
    parse_date(column, &text(row, column)?)
}

pub(crate) fn opt_date(row: &AnyRow, column: &str) -> Result<Option<Date>> {
    opt_text(row, column)?
        .map(|value| parse_date(column, &value))
        .transpose()
}

pub(crate) fn term_code(row: &AnyRow, column: &str) -> Result<TermCode> {
    let value = text(row, column)?;
    TermCode::parse(&value).map_err(|error| corrupt(column, &value, error))
}

/// Reads a text column into a type with `FromStr`, such as `ClaimStatus`.
pub(crate) fn parsed<T>(row: &AnyRow, column: &str) -> Result<T>
where
    T: FromStr,
    T::Err: Display,
{
    let value = text(row, column)?;
    value
        .parse::<T>()
        .map_err(|error| corrupt(column, &value, error))
}

pub(crate) fn opt_parsed<T>(row: &AnyRow, column: &str) -> Result<Option<T>>
where
    T: FromStr,
    T::Err: Display,
{
    opt_text(row, column)?
        .map(|value| {
            value
                .parse::<T>()
                .map_err(|error| corrupt(column, &value, error))
        })
        .transpose()
}

/// Binds a flag the way the schema stores it.
pub(crate) fn flag_value(value: bool) -> i16 {
    i16::from(value)
}
