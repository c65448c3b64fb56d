#ifndef CXCERT_CCURL_SHIM_H
#define CXCERT_CCURL_SHIM_H
#include <curl/curl.h>

#define CX_CURL_SONAME "libcurl.so.4"
#define CX_CURL_PACKAGE "libcurl4"
#define CX_CURL_FUNCTIONS(X) \
    X(curl_global_init) \
    X(curl_easy_init) \
    X(curl_easy_cleanup) \
    X(curl_easy_perform) \
    X(curl_easy_strerror) \
    X(curl_free) \
    X(curl_slist_append) \
    X(curl_slist_free_all) \
    X(curl_url) \
    X(curl_url_cleanup) \
    X(curl_url_get) \
    X(curl_url_set) \
    X(curl_easy_setopt) \
    X(curl_easy_getinfo)

// Loaded on first use (lazy.h); the list above is every function cxcert calls.
#include "../CLazyLoad/lazy.h"
CX_LAZY_LIBRARY(curl, CX_CURL_SONAME, CX_CURL_FUNCTIONS)

// curl_easy_setopt/getinfo are variadic and CURLAUTH_ANY is a cast expression: Swift imports neither.
static inline CURLcode cx_curl_set_long(CURL *curl, CURLoption option, long value) { return (cx_curl()->curl_easy_setopt)(curl, option, value); }
static inline CURLcode cx_curl_set_string(CURL *curl, CURLoption option, const char *value) { return (cx_curl()->curl_easy_setopt)(curl, option, value); }
static inline CURLcode cx_curl_set_pointer(CURL *curl, CURLoption option, void *value) { return (cx_curl()->curl_easy_setopt)(curl, option, value); }
typedef size_t (*cx_curl_write_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode cx_curl_set_write_callback(CURL *curl, cx_curl_write_callback callback) {
    return (cx_curl()->curl_easy_setopt)(curl, CURLOPT_WRITEFUNCTION, callback);
}
typedef size_t (*cx_curl_header_callback)(char *data, size_t size, size_t count, void *context);
/// Every header line of every response (100 Continue, 3xx, the final one) goes to `callback` with `context`.
static inline CURLcode cx_curl_set_header_callback(CURL *curl, cx_curl_header_callback callback, void *context) {
    CURLcode rc = (cx_curl()->curl_easy_setopt)(curl, CURLOPT_HEADERFUNCTION, callback);
    return rc != CURLE_OK ? rc : (cx_curl()->curl_easy_setopt)(curl, CURLOPT_HEADERDATA, context);
}
typedef int (*cx_curl_resolver_start_callback)(void *resolver_state, void *reserved, void *context);
/// `callback` runs each time libcurl is about to ask a resolver (a name not pinned by CURLOPT_RESOLVE);
/// a non-zero return stops that resolve and fails the transfer with CURLE_COULDNT_RESOLVE_HOST.
static inline CURLcode cx_curl_set_resolver_start(CURL *curl, cx_curl_resolver_start_callback callback, void *context) {
    CURLcode rc = (cx_curl()->curl_easy_setopt)(curl, CURLOPT_RESOLVER_START_FUNCTION, callback);
    return rc != CURLE_OK ? rc : (cx_curl()->curl_easy_setopt)(curl, CURLOPT_RESOLVER_START_DATA, context);
}
static inline long cx_curlauth_any(void) { return (long)CURLAUTH_ANY; }
/// The schemes that never put the password on the wire: SPNEGO/Kerberos and NTLM.
static inline long cx_curlauth_negotiate_ntlm(void) { return (long)(CURLAUTH_NEGOTIATE | CURLAUTH_NTLM); }
static inline CURLcode cx_curl_response_code(CURL *curl, long *code) { return (cx_curl()->curl_easy_getinfo)(curl, CURLINFO_RESPONSE_CODE, code); }

static inline CURLcode cx_curl_redirect_url(CURL *curl, char **url) { return (cx_curl()->curl_easy_getinfo)(curl, CURLINFO_REDIRECT_URL, url); }

#endif
