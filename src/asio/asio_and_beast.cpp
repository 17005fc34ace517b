// The single translation unit that compiles Boost.Asio and Boost.Beast for the project.
// Every other file includes their headers with BOOST_*_SEPARATE_COMPILATION defined.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
