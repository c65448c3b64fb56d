#ifndef CXCERT_CLDAP_SHIM_H
#define CXCERT_CLDAP_SHIM_H
// Non-deprecated OpenLDAP API only; the cast macros Swift cannot import are shimmed below.
#include <ldap.h>
#include <lber.h>
#include <openldap.h>

// The soname of the OpenLDAP the headers are from: 2.5 has its own, 2.6 went back to libldap.so.2.
#if LDAP_VENDOR_VERSION_MAJOR == 2 && LDAP_VENDOR_VERSION_MINOR == 5
#define CX_LDAP_SONAME "libldap-2.5.so.0"
#define CX_LDAP_PACKAGE "libldap-2.5-0"
#elif LDAP_VENDOR_VERSION_MAJOR == 2 && LDAP_VENDOR_VERSION_MINOR >= 6
#define CX_LDAP_SONAME "libldap.so.2"
#define CX_LDAP_PACKAGE "libldap2"
#else
#error "cxcert needs OpenLDAP 2.5 or later"
#endif
#define CX_LDAP_FUNCTIONS(X) \
    X(ldap_err2string) \
    X(ber_free) \
    X(ber_memfree) \
    X(ber_sockbuf_ctrl) \
    X(ldap_add_ext_s) \
    X(ldap_control_find) \
    X(ldap_control_free) \
    X(ldap_controls_free) \
    X(ldap_create_page_control) \
    X(ldap_delete_ext_s) \
    X(ldap_first_attribute) \
    X(ldap_first_message) \
    X(ldap_free_urldesc) \
    X(ldap_get_dn) \
    X(ldap_get_option) \
    X(ldap_get_values_len) \
    X(ldap_init_fd) \
    X(ldap_install_tls) \
    X(ldap_is_ldap_url) \
    X(ldap_memfree) \
    X(ldap_modify_ext_s) \
    X(ldap_msgfree) \
    X(ldap_msgtype) \
    X(ldap_next_attribute) \
    X(ldap_next_message) \
    X(ldap_parse_pageresponse_control) \
    X(ldap_parse_result) \
    X(ldap_rename_s) \
    X(ldap_sasl_bind_s) \
    X(ldap_search_ext_s) \
    X(ldap_set_option) \
    X(ldap_start_tls_s) \
    X(ldap_unbind_ext_s) \
    X(ldap_url_parse) \
    X(ldap_value_free_len)

// Loaded on first use (lazy.h); the list above is every function cxcert calls.
#include "../CLazyLoad/lazy.h"
CX_LAZY_LIBRARY(ldap, CX_LDAP_SONAME, CX_LDAP_FUNCTIONS)

/// libldap's text for a result code, or a fixed text when libldap cannot be loaded (an error is described
/// without a session too).
static inline char *cx_ldap_err2string(int code) {
    const cx_ldap_api *api = cx_ldap();
    return api->ldap_err2string != NULL ? (api->ldap_err2string)(code) : (char *)"Unknown error (libldap is not loaded)";
}

static inline void *cx_ldap_opt_on(void) { return LDAP_OPT_ON; }
static inline void *cx_ldap_opt_off(void) { return LDAP_OPT_OFF; }
static inline const char *cx_ldap_sasl_simple(void) { return LDAP_SASL_SIMPLE; }

// Message types are ber_tag_t casts, which Swift does not import.
static inline int cx_ldap_res_search_entry(void) { return (int)LDAP_RES_SEARCH_ENTRY; }
static inline int cx_ldap_res_search_reference(void) { return (int)LDAP_RES_SEARCH_REFERENCE; }
static inline int cx_ldap_res_search_result(void) { return (int)LDAP_RES_SEARCH_RESULT; }

/// Sets the value array of an LDAPMod (a union member) to binary values.
static inline void cx_ldapmod_set_bvalues(LDAPMod *mod, struct berval **values) { mod->mod_vals.modv_bvals = values; }

/// Caps one incoming PDU on a connection's sockbuf (LBER_SB_OPT_SET_MAX_INCOMING).
static inline int cx_ldap_set_max_incoming(LDAP *ld, ber_len_t bytes) {
    Sockbuf *sb = NULL;
    if ((cx_ldap()->ldap_get_option)(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || sb == NULL) return -1;
    return (cx_ldap()->ber_sockbuf_ctrl)(sb, LBER_SB_OPT_SET_MAX_INCOMING, &bytes) == 1 ? 0 : -1;
}

#endif
