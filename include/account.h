/* Users and groups by name or number. */
#ifndef COMPAUTHD_ACCOUNT_H
#define COMPAUTHD_ACCOUNT_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * 0 when v names a user (a number always does). *gid and *has_gid: the
 * user's primary group, known when it has a passwd entry.
 */
int account_user(const char *v, uid_t *uid, gid_t *gid, bool *has_gid);
/* 0 when v names a group (a number always does). */
int account_group(const char *v, gid_t *gid);

#endif
