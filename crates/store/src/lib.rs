//! Database access and the evidence blob store.
