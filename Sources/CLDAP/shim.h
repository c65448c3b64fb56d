#ifndef CXCERT_CLDAP_SHIM_H
#define CXCERT_CLDAP_SHIM_H
// Non-deprecated OpenLDAP API only; the cast macros Swift cannot import are shimmed below.
#include <ldap.h>
#include <lber.h>

static inline void *cx_ldap_opt_on(void) { return LDAP_OPT_ON; }
static inline void *cx_ldap_opt_off(void) { return LDAP_OPT_OFF; }
static inline const char *cx_ldap_sasl_simple(void) { return LDAP_SASL_SIMPLE; }

#endif
