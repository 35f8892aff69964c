/*
 * Checks that span several settings or read a file a setting names (the
 * ARC sealing key), run once a whole file is parsed: a config that cannot
 * work is refused at load or reload, never discovered on the first message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stddef.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "account.h"
#include "config_int.h"

#define CONFIG_KEY_MIN_RSA_BITS 1024
#define CONFIG_KEY_MAX_BYTES (64 * 1024)   /* a PEM key of 16384 bits is under 13 KiB */

static bool
config_load_key(struct config *c, char *why, size_t whylen)
{
	struct stat st;
	EVP_PKEY *k;
	FILE *f;

	if ((f = fopen(c->arc_sign_key, "r")) == NULL) {
		snprintf(why, whylen, "arc_sign_key: cannot open %s: %s", c->arc_sign_key,
		    strerror(errno));
		return false;
	}
	/* A device or a FIFO would hang start-up; nothing real is this big. */
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_KEY_MAX_BYTES) {
		snprintf(why, whylen, "arc_sign_key: %s is not a regular file of at most %d bytes",
		    c->arc_sign_key, CONFIG_KEY_MAX_BYTES);
		fclose(f);
		return false;
	}
	if ((st.st_mode & 007) != 0) {
		snprintf(why, whylen, "arc_sign_key: %s may be read or written by others "
		    "(chmod o-rwx)", c->arc_sign_key);
		fclose(f);
		return false;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL) {
		snprintf(why, whylen, "arc_sign_key: %s holds no PEM private key", c->arc_sign_key);
		return false;
	}
	if (EVP_PKEY_base_id(k) != EVP_PKEY_RSA && EVP_PKEY_base_id(k) != EVP_PKEY_ED25519) {
		snprintf(why, whylen, "arc_sign_key: %s is neither an RSA nor an Ed25519 key",
		    c->arc_sign_key);
		EVP_PKEY_free(k);
		return false;
	}
	if (EVP_PKEY_base_id(k) == EVP_PKEY_RSA && EVP_PKEY_bits(k) < CONFIG_KEY_MIN_RSA_BITS) {
		snprintf(why, whylen, "arc_sign_key: %s is a %d-bit RSA key; %d bits at least "
		    "(RFC 8301)", c->arc_sign_key, EVP_PKEY_bits(k), CONFIG_KEY_MIN_RSA_BITS);
		EVP_PKEY_free(k);
		return false;
	}
	c->arc_sign_pkey = k;
	return true;
}

bool
config_finish(struct config *c, const char **setting, char *why, size_t whylen)
{
	int set = (c->arc_sign_domain[0] != '\0') + (c->arc_sign_selector[0] != '\0') +
	    (c->arc_sign_key[0] != '\0');
	size_t i;

	if (set != 0 && set != 3) {
		*setting = c->arc_sign_domain[0] ? "arc_sign_domain" :
		    c->arc_sign_selector[0] ? "arc_sign_selector" : "arc_sign_key";
		snprintf(why, whylen, "ARC sealing needs arc_sign_domain, arc_sign_selector and "
		    "arc_sign_key all set (or none)");
		return false;
	}
	for (i = 0; i < c->arc_sign_headers.n; i++)
		if (strcasecmp(c->arc_sign_headers.v[i], "from") == 0)
			break;
	if (i == c->arc_sign_headers.n) {
		*setting = "arc_sign_headers";
		snprintf(why, whylen, "arc_sign_headers: From must be one of them");
		return false;
	}
	*setting = "arc_sign_key";
	if (set == 3 && !config_load_key(c, why, whylen))
		return false;
	return true;
}

void
config_finish_free(struct config *c)
{
	EVP_PKEY_free(c->arc_sign_pkey);
	c->arc_sign_pkey = NULL;
}

/* ---- what `compauthd -n` checks beyond the file ---- */

bool
config_check_accounts(const struct config *c, char *err, size_t errlen)
{
	static const struct {
		const char *setting;
		bool is_group;
		size_t offset;
	} acct[] = {
		{ "user", false, offsetof(struct config, user) },
		{ "group", true, offsetof(struct config, group) },
		{ "socket_owner", false, offsetof(struct config, socket_owner) },
		{ "socket_group", true, offsetof(struct config, socket_group) },
	};
	size_t i;

	for (i = 0; i < sizeof(acct) / sizeof(acct[0]); i++) {
		const char *v = *(char *const *)(const void *)((const char *)c + acct[i].offset);
		bool found, has_gid;
		uid_t uid;
		gid_t gid;

		if (v == NULL || v[0] == '\0')
			continue;
		/* The daemon's own lookup, so -n and start-up agree. */
		if (acct[i].is_group) {
			found = account_group(v, &gid) == 0;
		} else {
			found = account_user(v, &uid, &gid, &has_gid) == 0;
			if (found && !has_gid && i == 0 && (c->group == NULL || c->group[0] == '\0')) {
				snprintf(err, errlen, "user %s: no passwd entry, so no primary "
				    "group: set group", v);
				return false;
			}
		}
		if (!found) {
			snprintf(err, errlen, "%s %s: no such %s", acct[i].setting, v,
			    acct[i].is_group ? "group" : "user");
			return false;
		}
	}
	return true;
}

bool
config_authserv_id_warning(const struct config *c, char *buf, size_t len)
{
	if (strchr(c->authserv_id, '.') != NULL)
		return false;
	snprintf(buf, len, "authserv_id %s is not fully qualified: RFC 8601 wants "
	    "the authserv-id to be a domain name the site controls, since readers "
	    "trust our Authentication-Results, and we remove forged ones, by that "
	    "name alone; set authserv_id to this host's fully qualified name",
	    c->authserv_id);
	return true;
}
