#ifndef CXCERT_CPCAP_SHIM_H
#define CXCERT_CPCAP_SHIM_H
#include <stdio.h>
#include <pcap/pcap.h>

#define CX_PCAP_SONAME "libpcap.so.0.8"
#define CX_PCAP_PACKAGE "libpcap0.8"
#define CX_PCAP_FUNCTIONS(X) \
    X(pcap_close) \
    X(pcap_datalink) \
    X(pcap_geterr) \
    X(pcap_next_ex) \
    X(pcap_open_offline) \
    X(pcap_fopen_offline)

// libpcap is loaded on first use (dlopen), not linked: a command that never reads a capture never loads it and its
// dependency tree, which is most of a one-shot run's start-up. Each function below is resolved once,
// with the types of the real declarations; `cx_pcap_error()` says why the library is unusable.
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

typedef struct cx_pcap_api {
#define CX_PCAP_FIELD(name) __typeof__(name) *name;
    CX_PCAP_FUNCTIONS(CX_PCAP_FIELD)
#undef CX_PCAP_FIELD
    char error[256];
} cx_pcap_api;

static inline cx_pcap_api *cx_pcap_table(void) {
    static cx_pcap_api api;
    return &api;
}

static inline void cx_pcap_load(void) {
    cx_pcap_api *api = cx_pcap_table();
    void *handle = dlopen(CX_PCAP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        strncpy(api->error, reason != NULL ? reason : CX_PCAP_SONAME, sizeof api->error - 1);
        return;
    }
#define CX_PCAP_BIND(name)                                                                \
    if ((api->name = (__typeof__(name) *)dlsym(handle, #name)) == NULL) {               \
        strncpy(api->error, CX_PCAP_SONAME " has no " #name, sizeof api->error - 1);     \
        return;                                                                          \
    }
    CX_PCAP_FUNCTIONS(CX_PCAP_BIND)
#undef CX_PCAP_BIND
}

/// The resolved functions; every one is non-NULL unless `cx_pcap_error()` is.
static inline const cx_pcap_api *cx_pcap(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cx_pcap_load);
    return cx_pcap_table();
}

/// NULL when libpcap is loaded with every function; otherwise the loader's reason.
static inline const char *cx_pcap_error(void) {
    const cx_pcap_api *api = cx_pcap();
    return api->error[0] != 0 ? api->error : NULL;
}

// pcap_fopen_offline may be a macro; fmemopen lets the fuzz target read a capture from memory.
static inline pcap_t *cx_pcap_fopen(FILE *file, char *errbuf) { return (cx_pcap()->pcap_fopen_offline)(file, errbuf); }
static inline FILE *cx_fmemopen(void *buffer, size_t size) { return fmemopen(buffer, size, "rb"); }

#endif
