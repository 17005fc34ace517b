// Boost.JSON's own sources, compiled into the fuzz targets with their sanitizer and coverage
// flags (tests/fuzz/CMakeLists.txt says why). Not part of any other build.
//
// Threading: whatever Boost.JSON allows; the fuzz targets are single-threaded.
#include <boost/json/src.hpp>
