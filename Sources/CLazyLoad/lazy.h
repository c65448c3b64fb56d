#ifndef CXCERT_LAZY_H
#define CXCERT_LAZY_H
// A C library loaded on first use (dlopen) instead of linked, shared by the shims of CSSL, CCurl, CLDAP, CAres,
// CPcap and CYAML (a header, not a target: each shim includes it). A command that never calls into the library never
// loads it nor its dependency tree (GnuTLS, Kerberos, SASL, systemd, ...), which was most of a one-shot run's
// start-up.
//
// CX_LAZY_LIBRARY(p, SONAME, FUNCTIONS) declares `cx_<p>_api`, a table with one pointer per function that
// FUNCTIONS(X) lists, typed from the library's own declarations (__typeof__), and:
//   cx_<p>()        the table, filled once (pthread_once) by dlopen(SONAME) and dlsym of every function;
//   cx_<p>_error()  NULL when every function resolved, otherwise the loader's reason (dlerror, or the
//                   missing function), for the Swift side to throw as `MissingLibrary`.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define CX_LAZY_FIELD(name) __typeof__(name) *name;
#define CX_LAZY_BIND(name)                                                                        \
    if ((api->name = (__typeof__(name) *)dlsym(handle, #name)) == NULL) {                         \
        snprintf(api->error, sizeof api->error, "%s has no function %s", soname, #name);          \
        return;                                                                                   \
    }

#define CX_LAZY_LIBRARY(p, SONAME, FUNCTIONS)                                                     \
    typedef struct cx_##p##_api {                                                                 \
        FUNCTIONS(CX_LAZY_FIELD)                                                                  \
        char error[256];                                                                          \
    } cx_##p##_api;                                                                               \
    static inline cx_##p##_api *cx_##p##_table(void) {                                            \
        static cx_##p##_api api;                                                                  \
        return &api;                                                                              \
    }                                                                                             \
    static inline void cx_##p##_load(void) {                                                      \
        cx_##p##_api *api = cx_##p##_table();                                                     \
        const char *soname = SONAME;                                                              \
        void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);                                     \
        if (handle == NULL) {                                                                     \
            const char *reason = dlerror();                                                       \
            snprintf(api->error, sizeof api->error, "%s", reason != NULL ? reason : soname);      \
            return;                                                                               \
        }                                                                                         \
        FUNCTIONS(CX_LAZY_BIND)                                                                   \
    }                                                                                             \
    static inline const cx_##p##_api *cx_##p(void) {                                              \
        static pthread_once_t once = PTHREAD_ONCE_INIT;                                           \
        pthread_once(&once, cx_##p##_load);                                                       \
        return cx_##p##_table();                                                                  \
    }                                                                                             \
    static inline const char *cx_##p##_error(void) {                                              \
        const cx_##p##_api *api = cx_##p();                                                       \
        return api->error[0] != 0 ? api->error : NULL;                                            \
    }

#endif
