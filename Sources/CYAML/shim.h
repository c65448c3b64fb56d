#ifndef CXCERT_CYAML_SHIM_H
#define CXCERT_CYAML_SHIM_H
// libyaml's parser (event API only): the deployment files of `cxcert audit` and `boot --deployment`.
#include <yaml.h>

// libyaml's soname has been libyaml-0.so.2 since 0.1.x; yaml.h defines no version macro to derive it from.
#define CX_YAML_SONAME "libyaml-0.so.2"
#define CX_YAML_PACKAGE "libyaml-0-2"
#define CX_YAML_FUNCTIONS(X) \
    X(yaml_parser_initialize) \
    X(yaml_parser_delete) \
    X(yaml_parser_set_input_string) \
    X(yaml_parser_parse) \
    X(yaml_event_delete)

// Loaded on first use (lazy.h); the list above is every function cxcert calls.
#include "../CLazyLoad/lazy.h"
CX_LAZY_LIBRARY(yaml, CX_YAML_SONAME, CX_YAML_FUNCTIONS)

#endif
