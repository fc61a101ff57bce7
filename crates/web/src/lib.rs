//! The axum web application.
