//! The administrators' pages: units and offices, people and roles, roster import and
//! the rejection reasons.

mod import;
mod import_history;
mod people;
mod reasons;
mod units;

use crate::access::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = units::routes();
    routes.extend(people::routes());
    routes.extend(import::routes());
    routes.extend(import_history::routes());
    routes.extend(reasons::routes());
    routes
}
