//! Tests of the whole reader and writer: the reference files, round trips, damaged input and
//! compatibility with a real redis-server.

mod corrupt;
mod manifest;
mod redis_compat;
mod roundtrip;
mod support;
