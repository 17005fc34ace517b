// Unguessable identifiers for Engine.IO sessions and Socket.IO sockets.
//
// An id is 20 characters of URL-safe base64 (15 random bytes from the kernel's CSPRNG).
// Ids carry their home shard implicitly: shard_of(id, n) hashes the id, and
// random_id_for_shard() draws ids until one hashes to the wanted shard, so any thread can
// route a request or an API call by id without a shared table.
//
// Threading: any thread; each thread keeps its own buffer of random bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sg {

std::string random_id();
std::size_t shard_of(std::string_view id, std::size_t shard_count);
// `prefix` (e.g. a cluster node's "<node-id>-") starts the id and takes part in the hash.
std::string random_id_for_shard(std::size_t shard, std::size_t shard_count, std::string_view prefix = {});

}  // namespace sg
