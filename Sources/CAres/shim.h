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

// c-ares is loaded on first use (dlopen), not linked: a command that never asks DNS never loads it and its
// dependency tree, which is most of a one-shot run's start-up. Each function below is resolved once,
// with the types of the real declarations; `cx_ares_error()` says why the library is unusable.
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

typedef struct cx_ares_api {
#define CX_ARES_FIELD(name) __typeof__(name) *name;
    CX_ARES_FUNCTIONS(CX_ARES_FIELD)
#undef CX_ARES_FIELD
    char error[256];
} cx_ares_api;

static inline cx_ares_api *cx_ares_table(void) {
    static cx_ares_api api;
    return &api;
}

static inline void cx_ares_load(void) {
    cx_ares_api *api = cx_ares_table();
    void *handle = dlopen(CX_ARES_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        strncpy(api->error, reason != NULL ? reason : CX_ARES_SONAME, sizeof api->error - 1);
        return;
    }
#define CX_ARES_BIND(name)                                                                \
    if ((api->name = (__typeof__(name) *)dlsym(handle, #name)) == NULL) {               \
        strncpy(api->error, CX_ARES_SONAME " has no " #name, sizeof api->error - 1);     \
        return;                                                                          \
    }
    CX_ARES_FUNCTIONS(CX_ARES_BIND)
#undef CX_ARES_BIND
}

/// The resolved functions; every one is non-NULL unless `cx_ares_error()` is.
static inline const cx_ares_api *cx_ares(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cx_ares_load);
    return cx_ares_table();
}

/// NULL when c-ares is loaded with every function; otherwise the loader's reason.
static inline const char *cx_ares_error(void) {
    const cx_ares_api *api = cx_ares();
    return api->error[0] != 0 ? api->error : NULL;
}

// The socket-state accessors are macros, which Swift does not import.
static inline int cx_ares_readable(int bits, int index) { return ARES_GETSOCK_READABLE(bits, index) != 0; }
static inline int cx_ares_writable(int bits, int index) { return ARES_GETSOCK_WRITABLE(bits, index) != 0; }
static inline int cx_ares_getsock_max(void) { return ARES_GETSOCK_MAXNUM; }

#endif
