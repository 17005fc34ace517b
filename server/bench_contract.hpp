// The benchmark contract's server side: an admin socket (JWT claim role = "admin") sends
// `bench:emit` with {"to": "all" | {"users": [...]} | {"rooms": [...]}, "ev", "payload",
// "repeat"} and the server issues those emits through the real emit API, then acks
// {"issued": n}. Non-admins get {"error":"forbidden"}, a malformed argument
// {"error":"bad request"}. Enabled only by --bench-contract; it exists for benchmarks.
//
// Threading: install before the shards start; the handler runs on the sender's shard thread.
#pragma once

#include "sio/gateway.hpp"

namespace sg::server {

// Registers the bench:emit handler on namespace "/".
void install_bench_contract(sio::Gateway& gateway);

}  // namespace sg::server
