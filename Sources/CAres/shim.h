#ifndef CXCERT_CARES_SHIM_H
#define CXCERT_CARES_SHIM_H
#include <ares.h>

// The socket-state accessors are macros, which Swift does not import.
static inline int cx_ares_readable(int bits, int index) { return ARES_GETSOCK_READABLE(bits, index) != 0; }
static inline int cx_ares_writable(int bits, int index) { return ARES_GETSOCK_WRITABLE(bits, index) != 0; }
static inline int cx_ares_getsock_max(void) { return ARES_GETSOCK_MAXNUM; }

#endif
