// Boost.JSON compiled from its header-only form into an ordinary position-independent library
// of ours, for the wheel and the .deb (cmake/StaticDeps.cmake): Debian's libboost_json.a is
// compiled for executables and cannot be linked into a shared object (the Python extension).
#include <boost/json/src.hpp>
