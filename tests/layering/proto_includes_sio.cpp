// Deliberately breaks the layering: proto may not see sio. This file must not compile.
#include "sio/gateway.hpp"
int layering_probe() { return 0; }
