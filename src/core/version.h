/* version: what this binary is, for `mam --version` and mam_build_info.
 *
 * Both strings are generated at build time (Makefile: the VERSION file and
 * the git commit of the source tree, "unknown" outside a git checkout). */
#ifndef MAM_VERSION_H
#define MAM_VERSION_H

extern const char mam_version[];
extern const char mam_commit[];

#endif
