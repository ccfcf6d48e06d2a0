"""State shared between replicas of one mock environment (`--store redis://...`).

Without a store every service keeps its state in this process, as it always has. With one,
a `Replica` listens to the services (`StubStore.listener`, `Journal.listener`,
`Scenarios.shared`) and shares what they change through Redis, under a key prefix per state
object. See docs/scale-out.md.

Redis is an optional extra (`mockserver[redis]`): nothing here is imported until a server is
started with a store.
"""
