// The native host's part of the socket_gateway._core module (host_bindings.cpp).
// Threading: called once, while the module is imported.
#pragma once

#include <nanobind/nanobind.h>

namespace sg::py {

void bind_host(nanobind::module_& module);

}  // namespace sg::py
