#ifndef CXCERT_CARES_SHIM_H
#define CXCERT_CARES_SHIM_H
#include <ares.h>

#define CX_ARES_SONAME "libcares.so.2"
#define CX_ARES_PACKAGE "libc-ares2"
#define CX_ARES_FUNCTIONS(X) \
    X(ares_library_init) \
    X(ares_cancel) \
    X(ares_destroy) \
    X(ares_expand_name) \
    X(ares_free_data) \
    X(ares_free_hostent) \
    X(ares_free_string) \
    X(ares_getsock) \
    X(ares_init_options) \
    X(ares_parse_a_reply) \
    X(ares_parse_srv_reply) \
    X(ares_process_fd) \
    X(ares_query) \
    X(ares_set_servers_ports_csv) \
    X(ares_strerror) \
    X(ares_timeout)

// Loaded on first use (lazy.h); the list above is every function cxcert calls.
#include "../CLazyLoad/lazy.h"
CX_LAZY_LIBRARY(ares, CX_ARES_SONAME, CX_ARES_FUNCTIONS)

// The socket-state accessors are macros, which Swift does not import.
static inline int cx_ares_readable(int bits, int index) { return ARES_GETSOCK_READABLE(bits, index) != 0; }
static inline int cx_ares_writable(int bits, int index) { return ARES_GETSOCK_WRITABLE(bits, index) != 0; }
static inline int cx_ares_getsock_max(void) { return ARES_GETSOCK_MAXNUM; }

#endif
