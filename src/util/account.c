/*
 * Users and groups as settings name them: a name, or a number as chown(1)
 * takes it. One lookup for compauthd -n, the privilege drop and the socket
 * owner, so that what -n accepts the daemon can become.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "account.h"

/* A number is an id as it stands, as chown(1) takes it. */
static bool
account_is_number(const char *v, unsigned long *n)
{
	char *end;

	if (v[0] < '0' || v[0] > '9' || strspn(v, "0123456789") != strlen(v))
		return false;
	errno = 0;
	*n = strtoul(v, &end, 10);
	return errno == 0 && *n < (unsigned long)(uid_t)-1;
}

int
account_user(const char *v, uid_t *uid, gid_t *gid, bool *has_gid)
{
	unsigned long n;
	struct passwd *pw;

	if (account_is_number(v, &n)) {
		*uid = (uid_t)n;
		pw = getpwuid(*uid);
	} else {
		pw = getpwnam(v);
		if (pw == NULL)
			return -1;
		*uid = pw->pw_uid;
	}
	*has_gid = pw != NULL;
	if (pw != NULL)
		*gid = pw->pw_gid;
	return 0;
}

int
account_group(const char *v, gid_t *gid)
{
	unsigned long n;
	struct group *gr;

	if (account_is_number(v, &n)) {
		*gid = (gid_t)n;
		return 0;
	}
	if ((gr = getgrnam(v)) == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}
