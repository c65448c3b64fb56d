#ifndef CXCERT_CPCAP_SHIM_H
#define CXCERT_CPCAP_SHIM_H
#include <stdio.h>
#include <pcap/pcap.h>

// pcap_fopen_offline may be a macro; fmemopen lets the fuzz target read a capture from memory.
static inline pcap_t *cx_pcap_fopen(FILE *file, char *errbuf) { return pcap_fopen_offline(file, errbuf); }
static inline FILE *cx_fmemopen(void *buffer, size_t size) { return fmemopen(buffer, size, "rb"); }

#endif
