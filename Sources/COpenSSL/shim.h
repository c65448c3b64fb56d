#ifndef CXCERT_COPENSSL_SHIM_H
#define CXCERT_COPENSSL_SHIM_H
// Only OpenSSL 3 API: nothing deprecated may creep in.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

// Swift cannot import function-like or compound macros; these wrappers stand in for them.

static inline int cx_sk_X509_num(const STACK_OF(X509) *s) { return sk_X509_num(s); }
static inline X509 *cx_sk_X509_value(const STACK_OF(X509) *s, int i) { return sk_X509_value(s, i); }
static inline STACK_OF(X509) *cx_sk_X509_new_null(void) { return sk_X509_new_null(); }
/// Pushes `x` and takes a reference on it, so the stack owns what it holds.
static inline int cx_sk_X509_push_ref(STACK_OF(X509) *s, X509 *x) {
    if (X509_up_ref(x) != 1) return 0;
    if (sk_X509_push(s, x) <= 0) { X509_free(x); return 0; }
    return 1;
}
static inline void cx_sk_X509_pop_free(STACK_OF(X509) *s) { sk_X509_pop_free(s, X509_free); }

static inline int cx_sk_GENERAL_NAME_num(const GENERAL_NAMES *s) { return sk_GENERAL_NAME_num(s); }
static inline GENERAL_NAME *cx_sk_GENERAL_NAME_value(const GENERAL_NAMES *s, int i) { return sk_GENERAL_NAME_value(s, i); }

static inline int cx_sk_ASN1_OBJECT_num(const STACK_OF(ASN1_OBJECT) *s) { return sk_ASN1_OBJECT_num(s); }
static inline ASN1_OBJECT *cx_sk_ASN1_OBJECT_value(const STACK_OF(ASN1_OBJECT) *s, int i) { return sk_ASN1_OBJECT_value(s, i); }

static inline int cx_sk_DIST_POINT_num(const STACK_OF(DIST_POINT) *s) { return sk_DIST_POINT_num(s); }
static inline DIST_POINT *cx_sk_DIST_POINT_value(const STACK_OF(DIST_POINT) *s, int i) { return sk_DIST_POINT_value(s, i); }

static inline int cx_sk_ACCESS_DESCRIPTION_num(const AUTHORITY_INFO_ACCESS *s) { return sk_ACCESS_DESCRIPTION_num(s); }
static inline ACCESS_DESCRIPTION *cx_sk_ACCESS_DESCRIPTION_value(const AUTHORITY_INFO_ACCESS *s, int i) { return sk_ACCESS_DESCRIPTION_value(s, i); }

static inline long cx_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline void cx_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline unsigned long cx_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
static inline unsigned long cx_XN_FLAG_ONELINE(void) { return XN_FLAG_ONELINE; }

// GENERAL_NAME is a tagged union; reading it here keeps the union layout out of Swift.
static inline int cx_GENERAL_NAME_type(const GENERAL_NAME *gn) { return gn->type; }
/// The string value of an IA5/OCTET STRING general name (DNS, e-mail, URI, IP), else NULL.
static inline const ASN1_STRING *cx_GENERAL_NAME_string(const GENERAL_NAME *gn) {
    switch (gn->type) {
    case GEN_DNS: return gn->d.dNSName;
    case GEN_EMAIL: return gn->d.rfc822Name;
    case GEN_URI: return gn->d.uniformResourceIdentifier;
    case GEN_IPADD: return gn->d.iPAddress;
    default: return NULL;
    }
}
static inline const ASN1_OBJECT *cx_GENERAL_NAME_other_type(const GENERAL_NAME *gn) {
    return gn->type == GEN_OTHERNAME ? gn->d.otherName->type_id : NULL;
}
/// The OID of a registeredID general name, else NULL.
static inline const ASN1_OBJECT *cx_GENERAL_NAME_rid(const GENERAL_NAME *gn) {
    return gn->type == GEN_RID ? gn->d.registeredID : NULL;
}
/// An otherName's value when it is a string (a UPN is a UTF8String), else NULL.
static inline const ASN1_STRING *cx_GENERAL_NAME_other_string(const GENERAL_NAME *gn) {
    if (gn->type != GEN_OTHERNAME || gn->d.otherName->value == NULL) return NULL;
    const ASN1_TYPE *value = gn->d.otherName->value;
    switch (value->type) {
    case V_ASN1_UTF8STRING: case V_ASN1_IA5STRING: case V_ASN1_PRINTABLESTRING: case V_ASN1_VISIBLESTRING:
        return value->value.asn1_string;
    default: return NULL;
    }
}
static inline const X509_NAME *cx_GENERAL_NAME_dirname(const GENERAL_NAME *gn) {
    return gn->type == GEN_DIRNAME ? gn->d.directoryName : NULL;
}
/// The full-name list of a CRL distribution point, or NULL when it uses a relative name.
static inline const GENERAL_NAMES *cx_DIST_POINT_fullname(const DIST_POINT *dp) {
    return (dp->distpoint && dp->distpoint->type == 0) ? dp->distpoint->name.fullname : NULL;
}
static inline const ASN1_OBJECT *cx_ACCESS_DESCRIPTION_method(const ACCESS_DESCRIPTION *ad) { return ad->method; }
static inline const GENERAL_NAME *cx_ACCESS_DESCRIPTION_location(const ACCESS_DESCRIPTION *ad) { return ad->location; }

// Name constraints: the two subtree lists (NULL when absent) and each subtree's base name.
static inline const STACK_OF(GENERAL_SUBTREE) *cx_NAME_CONSTRAINTS_permitted(const NAME_CONSTRAINTS *nc) { return nc->permittedSubtrees; }
static inline const STACK_OF(GENERAL_SUBTREE) *cx_NAME_CONSTRAINTS_excluded(const NAME_CONSTRAINTS *nc) { return nc->excludedSubtrees; }
static inline int cx_sk_GENERAL_SUBTREE_num(const STACK_OF(GENERAL_SUBTREE) *s) { return sk_GENERAL_SUBTREE_num(s); }
static inline const GENERAL_NAME *cx_sk_GENERAL_SUBTREE_base(const STACK_OF(GENERAL_SUBTREE) *s, int i) {
    GENERAL_SUBTREE *tree = sk_GENERAL_SUBTREE_value(s, i);
    return tree ? tree->base : NULL;
}

#endif
