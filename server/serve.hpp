// Runs the standalone server with a parsed configuration until SIGTERM/SIGINT, then drains.
// Threading: called on the main thread, which then only waits for signals.
#pragma once

#include "server_config.hpp"

namespace sg::server {

// Returns the process exit code.
int serve(const ServerConfig& config);

}  // namespace sg::server
