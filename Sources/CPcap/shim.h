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

// Loaded on first use (lazy.h); the list above is every function cxcert calls.
#include "../CLazyLoad/lazy.h"
CX_LAZY_LIBRARY(pcap, CX_PCAP_SONAME, CX_PCAP_FUNCTIONS)

// pcap_fopen_offline may be a macro; fmemopen lets the fuzz target read a capture from memory.
static inline pcap_t *cx_pcap_fopen(FILE *file, char *errbuf) { return (cx_pcap()->pcap_fopen_offline)(file, errbuf); }
static inline FILE *cx_fmemopen(void *buffer, size_t size) { return fmemopen(buffer, size, "rb"); }

#endif
