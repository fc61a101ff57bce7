//! Domain types and rules of xueshi. This crate does no I/O.
