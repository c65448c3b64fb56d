#ifndef CXCERT_CLDAP_SHIM_H
#define CXCERT_CLDAP_SHIM_H
// Non-deprecated OpenLDAP API only; the cast macros Swift cannot import are shimmed below.
#include <ldap.h>
#include <lber.h>
#include <openldap.h>

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
    if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || sb == NULL) return -1;
    return ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &bytes) == 1 ? 0 : -1;
}

#endif
