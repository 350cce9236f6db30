//! redraft-client: an async client for redraft clusters (not yet built; see the client issue).
//! Until it lands, tests and tools use the `redis` crate, which speaks to redraft as to Redis.
