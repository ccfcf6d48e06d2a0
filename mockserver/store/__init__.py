"""State shared between replicas of one mock environment (`--store redis://...`).

Without a store every service keeps its state in this process, as it always has. With one,
a `Replica` per scope (the default one and each namespace) listens to the services
(`StubStore.listener`, `Journal.listener`, `Scenarios.shared`) and shares what they change
through Redis, under a key prefix per scope (`Keyspace`). Every replica of a process goes
through one `Link` (a connection pool, one pub/sub connection, one writer task); `Directory`
is the shared set of namespace names. See docs/scale-out.md.

Redis is an optional extra (`mockserver[redis]`): nothing here is imported until a server is
started with a store.
"""
