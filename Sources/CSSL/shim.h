#ifndef CXCERT_CSSL_SHIM_H
#define CXCERT_CSSL_SHIM_H
// OpenSSL's TLS library (libssl), for the probes' handshakes. libcrypto stays linked (COpenSSL); libssl is loaded on
// first use like libldap, so a command that makes no handshake (verify, inspect) neither loads nor relocates it.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1
#include <openssl/ssl.h>

#define CX_SSL_SONAME "libssl.so.3"
#define CX_SSL_PACKAGE "libssl3"
#define CX_SSL_FUNCTIONS(X) \
    X(TLS_client_method) \
    X(SSL_CTX_new) \
    X(SSL_CTX_free) \
    X(SSL_CTX_ctrl) \
    X(SSL_CTX_set_cipher_list) \
    X(SSL_CTX_set_ciphersuites) \
    X(SSL_CTX_set_verify) \
    X(SSL_new) \
    X(SSL_free) \
    X(SSL_ctrl) \
    X(SSL_set_fd) \
    X(SSL_connect) \
    X(SSL_read) \
    X(SSL_write) \
    X(SSL_shutdown) \
    X(SSL_get_error) \
    X(SSL_get_peer_cert_chain) \
    X(SSL_get_current_cipher) \
    X(SSL_CIPHER_get_name) \
    X(SSL_version)

// Loaded on first use (lazy.h); the list above is every function cxcert calls.
#include "../CLazyLoad/lazy.h"
CX_LAZY_LIBRARY(ssl, CX_SSL_SONAME, CX_SSL_FUNCTIONS)

// TLS client settings that OpenSSL only offers as macros (over SSL_CTX_ctrl and SSL_ctrl), through the table.
static inline int cx_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)cx_ssl()->SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, version, NULL);
}
static inline int cx_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)cx_ssl()->SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, version, NULL);
}
static inline long cx_SSL_CTX_set_max_cert_list(SSL_CTX *ctx, long size) {
    return cx_ssl()->SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_CERT_LIST, size, NULL);
}
static inline int cx_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)cx_ssl()->SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
}

#endif
