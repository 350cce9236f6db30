//! Shared helpers for the end-to-end tests: start a real `redraft` process on a free port.
