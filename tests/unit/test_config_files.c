/*
 * config.c on whole texts and files: the byte and size limits, the
 * files under tests/data/config (good.conf dumps as good.dump), the
 * shipped conf/compauthd.conf, the ARC sealing key read at load, the man
 * page's list against config_dump, and random bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "config.h"
#include "config_test_util.h"
#include "tap.h"

static const char *srcdir;

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Bytes the string tables cannot hold: NUL, length limits. */
static void
test_limits(void)
{
	char err[512], *big;
	struct config *c;
	size_t n;

	c = config_parse("t.conf", "user = a\nuser\0 = b\n", 19, err, sizeof(err));
	ok(c == NULL, "limits: NUL byte rejected");
	is_str(err, "t.conf:2: NUL byte in line", "limits: NUL byte error names line 2");

	/* 131328 bytes of line are allowed, 131329 are not; CR is not counted. */
	big = malloc(262144);
	memset(big, '#', 131328);
	memcpy(big + 131328, "\r\n", 3);
	c = config_parse("t.conf", big, 131330, err, sizeof(err));
	ok(c != NULL, "limits: a 131328-byte line is allowed (with CRLF)");
	config_free(&c);
	memcpy(big, "\n\n", 2);
	memset(big + 2, '#', 131329);
	c = config_parse("t.conf", big, 131331, err, sizeof(err));
	ok(c == NULL, "limits: a 131329-byte line is refused");
	is_str(err, "t.conf:3: line longer than 131328 bytes", "limits: long line error on line 3");

	/* A value at the limit: 4096 bytes of path; one more is refused. */
	n = (size_t)snprintf(big, 16384, "zone_file = /");
	memset(big + n, 'z', 4095);
	big[n + 4095] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL && strlen(c->zone_file) == 4096, "limits: 4096-byte value kept whole");
	config_free(&c);
	big[n + 4095] = 'z';
	big[n + 4096] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c == NULL, "limits: a 4097-byte value is refused");
	is_str(err, "t.conf:1: zone_file: value longer than 4096 bytes", "limits: long value error");

	/* The longest value that needs escaping still dumps to a line that parses. */
	n = (size_t)snprintf(big, 16384, "dmarc_reject_reply = \"550 5.7.1 ");
	for (size_t i = 0; i < 4096 - 10; i++)
		n += (size_t)snprintf(big + n, 16384 - n, "\\\"");
	snprintf(big + n, 16384 - n, "\"");
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL, "limits: a 4096-byte reply of quotes parses (%s)", c ? "ok" : err);
	if (c != NULL) {
		char *d = dump_all(c);
		struct config *again = parse_str(d, err, sizeof(err));

		ok(again != NULL, "limits: its dump parses back (%s)", again ? "ok" : err);
		config_free(&again);
		free(d);
	}
	config_free(&c);

	/* unix socket paths must fit sun_path */
	n = (size_t)snprintf(big, 8192, "socket = unix:/");
	memset(big + n, 's', 106);
	big[n + 106] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL, "limits: a 107-byte socket path fits");
	config_free(&c);
	big[n + 106] = 's';
	big[n + 107] = '\0';
	c = parse_str(big, err, sizeof(err));
	ok(c == NULL, "limits: a 108-byte socket path does not");
	ok(strncmp(err, "t.conf:1: socket: expected a UNIX-domain socket path shorter than 108 bytes, got 'unix:/sss",
	    88) == 0, "limits: socket path error: %s", err);

	/* As many CIDR blocks as one line holds. */
	n = (size_t)sprintf(big, "trusted_clients = ");
	for (size_t i = 0; i < 300; i++)
		n += (size_t)sprintf(big + n, "10.%zu.%zu.0/24,", i / 256, i % 256);
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL && c->trusted_clients.n == 300, "limits: 300 blocks on one line (%s)",
	    c ? "ok" : err);
	if (c != NULL) {
		struct netaddr last;

		netaddr_parse("10.1.43.9", &last);
		ok(cidr_match(&c->trusted_clients.v[299], &last), "limits: the 300th is 10.1.43.0/24");
	}
	config_free(&c);

	/*
	 * Hosts written bare and without spaces grow when written out
	 * ("1.2.3.4," is written "1.2.3.4/32, "): 500 of them are 4779
	 * bytes in the file and 6780 as -n writes them, which must read
	 * back (a fuzzer found -n output refused as too long).
	 */
	n = (size_t)sprintf(big, "trusted_clients = ");
	for (size_t i = 0; i < 500; i++)
		n += (size_t)sprintf(big + n, "%s1.%zu.%zu.1", i ? "," : "", i / 250, i % 250);
	c = parse_str(big, err, sizeof(err));
	ok(c != NULL, "limits: 500 bare hosts parse (%s)", c ? "ok" : err);
	if (c != NULL) {
		char *d = dump_all(c);
		struct config *again = parse_str(d, err, sizeof(err));

		ok(strstr(d, "1.1.249.1/32\"\n") != NULL, "limits: written with prefix lengths");
		ok(again != NULL && again->trusted_clients.n == 500,
		    "limits: their dump parses back (%s)", again ? "ok" : err);
		config_free(&again);
		free(d);
	}
	config_free(&c);

	/*
	 * 1024 domains of 63 bytes joined by "," are 65535 bytes, but 66558
	 * joined by ", " as -n writes them: refused, since -n could not
	 * write them back. 1000 fit both ways.
	 */
	for (size_t k = 1000; k <= 1024; k += 24) {
		n = (size_t)sprintf(big, "local_domains = ");
		for (size_t i = 0; i < k; i++)
			n += (size_t)sprintf(big + n, "%sd%04zu%054d.org", i ? "," : "", i, 0);
		c = parse_str(big, err, sizeof(err));
		if (k == 1024) {
			ok(c == NULL, "limits: 1024 long domains refused");
			is_str(err, "t.conf:1: local_domains: value longer than 65536 bytes when "
			    "written as compauthd -n does (66558)", "limits: the written-out length is named");
		} else {
			char *d = c != NULL ? dump_all(c) : NULL;
			struct config *again = d != NULL ? parse_str(d, err, sizeof(err)) : NULL;

			ok(again != NULL && again->local_domains.n == 1000,
			    "limits: 1000 long domains parse and read back (%s)", err);
			config_free(&again);
			free(d);
		}
		config_free(&c);
	}
	free(big);

	/* err may be NULL or tiny */
	c = config_parse("t.conf", "x = 1\n", 6, NULL, 0);
	ok(c == NULL, "limits: NULL err buffer is fine");
	c = config_parse("t.conf", "x = 1\n", 6, err, 5);
	ok(c == NULL && strcmp(err, "t.co") == 0, "limits: err is truncated, terminated");
	c = config_parse(NULL, "x = 1\n", 6, err, sizeof(err));
	is_str(err, "(config):1: unknown setting 'x'", "limits: NULL name is '(config)'");
}

/* ---- files ---- */

static void
test_files(void)
{
	static const struct {
		const char *file;
		const char *err;        /* after "PATH:" */
	} bad_files[] = {
		{ "bad-duplicate.conf", "4: dns_timeout: already set on line 2" },
		{ "bad-unknown.conf", "4: unknown setting 'log_levl'; did you mean 'log_level'?" },
		{ "bad-range.conf", "2: max_headers: 0 is out of range (1 to 100000)" },
		{ "bad-cidr.conf", "2: trusted_clients: '192.0.2.1/24' has bits set after the "
		  "prefix length; write the network address" },
		{ "bad-noequals.conf", "2: group: expected '=' after the name" },
		{ "bad-quote.conf", "3: zone_file: unterminated quoted value" },
	};
	char path[4096], want[8192], err[1024], tmpl[] = "/tmp/test_config.XXXXXX";
	struct config *c, *again;
	char *dump, *expect;
	size_t i;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/data/config/good.conf", srcdir);
	c = config_load(path, err, sizeof(err));
	ok(c != NULL, "files: good.conf loads");
	if (c == NULL)
		tap_diag("%s", err);
	snprintf(path, sizeof(path), "%s/tests/data/config/good.dump", srcdir);
	expect = slurp(path);
	ok(expect != NULL, "files: good.dump readable");
	dump = c ? dump_all(c) : NULL;
	is_str(dump, expect, "files: dump of good.conf equals good.dump exactly");
	snprintf(path, sizeof(path), "%s/tests/data/config/good.conf", srcdir);
	if (c != NULL)
		is_str(c->path, path, "files: path recorded");

	/* The dump reads back as the same settings. */
	again = dump ? config_parse("dump", dump, strlen(dump), err, sizeof(err)) : NULL;
	ok(again != NULL, "files: good.dump parses");
	if (again != NULL) {
		char *d2 = dump_all(again);

		is_str(d2, dump, "files: dump, parse, dump is stable");
		free(d2);
	}
	config_free(&again);
	free(dump);
	free(expect);
	config_free(&c);

	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/data/config/%s", srcdir, bad_files[i].file);
		snprintf(want, sizeof(want), "%s:%s", path, bad_files[i].err);
		c = config_load(path, err, sizeof(err));
		ok(c == NULL, "files: %s rejected", bad_files[i].file);
		is_str(err, want, "files: %s error", bad_files[i].file);
		config_free(&c);
	}

	c = config_load("/nonexistent/compauthd.conf", err, sizeof(err));
	ok(c == NULL, "files: missing file rejected");
	is_str(err, "/nonexistent/compauthd.conf: cannot open: No such file or directory",
	    "files: missing file error has no line number");
	c = config_load("/", err, sizeof(err));
	ok(c == NULL, "files: a directory is rejected");
	is_str(err, "/: cannot read: Is a directory", "files: directory error");

	/* 1 MiB is the limit; one byte more is refused before parsing. */
	fd = mkstemp(tmpl);
	f = fdopen(fd, "w");
	for (i = 0; i < 1024 * 1024 / 64; i++)
		fprintf(f, "%063d\n", 0);
	fclose(f);
	{
		/* The zeros are not comments: turn them into comments in place. */
		char *t = slurp(tmpl);

		for (i = 0; i < 1024 * 1024; i += 64)
			t[i] = '#';
		f = fopen(tmpl, "w");
		fwrite(t, 1, 1024 * 1024, f);
		fclose(f);
		c = config_load(tmpl, err, sizeof(err));
		ok(c != NULL, "files: a 1048576-byte file loads");
		config_free(&c);
		f = fopen(tmpl, "a");
		fputc('\n', f);
		fclose(f);
		c = config_load(tmpl, err, sizeof(err));
		ok(c == NULL, "files: a 1048577-byte file is refused");
		snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", tmpl);
		is_str(err, want, "files: too-large error");
		free(t);
	}
	unlink(tmpl);
}

/* conf/compauthd.conf: parses; every "#name = value" line is the default. */
static void
test_example_conf(void)
{
	struct config *c, *d = config_defaults(), *u;
	char path[4096], err[1024], *text, *p, *line, *a, *b;
	size_t uncommented = 0;

	snprintf(path, sizeof(path), "%s/conf/compauthd.conf", srcdir);
	c = config_load(path, err, sizeof(err));
	ok(c != NULL, "example: conf/compauthd.conf parses without error");
	if (c == NULL)
		tap_diag("%s", err);
	a = dump_all(d);
	b = c ? dump_all(c) : NULL;
	is_str(b, a, "example: as shipped it is all defaults");
	free(b);
	config_free(&c);

	/* Uncomment every "#name = value" line: still parses, still the
	 * defaults (bar authserv_id's example), so its values cannot drift. */
	text = slurp(path);
	ok(text != NULL, "example: readable");
	if (text == NULL)
		return;
	for (line = text; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " = ") != NULL && (!p || strstr(line, " = ") < p)) {
			line[0] = ' ';
			uncommented++;
		}
	}
	is_int(uncommented, 54, "example: every one of the 54 settings is shown");
	u = config_parse(path, text, strlen(text), err, sizeof(err));
	ok(u != NULL, "example: uncommented, it parses (each setting once)");
	if (u == NULL)
		tap_diag("%s", err);
	if (u != NULL) {
		is_str(u->authserv_id, "mx.example.net", "example: authserv_id example");
		b = dump_all(u);
		/* Same lines apart from the first (authserv_id). */
		is_str(strchr(b, '\n'), strchr(a, '\n'), "example: uncommented values are the defaults");
		free(b);
	}
	config_free(&u);
	free(a);
	free(text);
	config_free(&d);
}

/* A key of type id (bits for RSA) written as PEM with mode; the path. */
static const char *
write_key(const char *dir, const char *name, int id, int bits, mode_t mode)
{
	static char path[8][512];
	static int slot;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(id, NULL);
	EVP_PKEY *k = NULL;
	char *p = path[slot++ % 8];
	FILE *f;

	snprintf(p, 512, "%s/%s", dir, name);
	if (kc == NULL || EVP_PKEY_keygen_init(kc) != 1 ||
	    (id == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_keygen_bits(kc, bits) != 1) ||
	    (id == EVP_PKEY_EC && EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc, NID_X9_62_prime256v1) != 1) ||
	    EVP_PKEY_keygen(kc, &k) != 1 || (f = fopen(p, "w")) == NULL) {
		EVP_PKEY_CTX_free(kc);
		return NULL;
	}
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	chmod(p, mode);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(kc);
	return p;
}

/* The ARC sealing key is read and judged at load, never at the first message. */
static void
test_arc_key(void)
{
	char dir[] = "/tmp/test_config_key.XXXXXX", text[1024], err[1024], want[1024];
	const char *ed, *rsa, *small, *ec, *open_key, *junk;
	struct config *c;
	FILE *f;

	ok(mkdtemp(dir) != NULL, "arc key: temporary directory");
	ed = write_key(dir, "ed.pem", EVP_PKEY_ED25519, 0, 0600);
	rsa = write_key(dir, "rsa.pem", EVP_PKEY_RSA, 2048, 0640);
	small = write_key(dir, "small.pem", EVP_PKEY_RSA, 768, 0600);
	ec = write_key(dir, "ec.pem", EVP_PKEY_EC, 0, 0600);
	ok(ed && rsa && small && ec, "arc key: test keys written");
	if (!(ed && rsa && small && ec))
		return;
	open_key = write_key(dir, "open.pem", EVP_PKEY_ED25519, 0, 0604);
	junk = write_key(dir, "junk.pem", EVP_PKEY_ED25519, 0, 0600);
	if ((f = fopen(junk, "w")) != NULL) {
		fputs("not a key\n", f);
		fclose(f);
	}
#define SEAL(key) (snprintf(text, sizeof(text), "arc_sign_domain = example.org\n" \
	"arc_sign_selector = s1\narc_sign_key = %s\n", key), \
	parse_str(text, err, sizeof(err)))

	c = SEAL(ed);
	ok(c != NULL && c->arc_sign_pkey != NULL, "arc key: Ed25519, mode 0600, loads");
	config_free(&c);
	c = SEAL(rsa);
	ok(c != NULL && c->arc_sign_pkey != NULL, "arc key: RSA 2048, mode 0640 (group may read), loads");
	config_free(&c);
	c = SEAL(small);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s is a 768-bit RSA key; 1024 bits at "
	    "least (RFC 8301)", small);
	ok(c == NULL, "arc key: RSA 768 refused");
	is_str(err, want, "arc key: RSA 768: exact error");
	c = SEAL(ec);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s is neither an RSA nor an Ed25519 key", ec);
	ok(c == NULL, "arc key: ECDSA refused");
	is_str(err, want, "arc key: ECDSA: exact error");
	c = SEAL(open_key);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s may be read or written by others "
	    "(chmod o-rwx)", open_key);
	ok(c == NULL, "arc key: a key others may read refused");
	is_str(err, want, "arc key: others may read: exact error");
	c = SEAL(junk);
	snprintf(want, sizeof(want), "t.conf:3: arc_sign_key: %s holds no PEM private key", junk);
	ok(c == NULL, "arc key: a file without a key refused");
	is_str(err, want, "arc key: no key: exact error");
	c = SEAL("/dev/zero");
	ok(c == NULL, "arc key: a device refused (it would hang start-up)");
	is_str(err, "t.conf:3: arc_sign_key: /dev/zero is not a regular file of at most 65536 bytes",
	    "arc key: a device: exact error");
#undef SEAL
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	ok(system(text) == 0, "arc key: cleaned up");
}

/* config_man and config_dump walk the same table in the same order. */
static void
test_man(void)
{
	struct config *d = config_defaults();
	char *man = NULL, *dump = dump_all(d), *p, *q, name[64];
	size_t len = 0, count = 0;
	FILE *f = open_memstream(&man, &len);
	int same = 1;

	config_man(f);
	fclose(f);
	p = man;
	for (q = dump; *q; q = strchr(q, '\n') + 1) {
		size_t n = strcspn(q, " ");

		snprintf(name, sizeof(name), ".It Cm %.*s Ns = Ns ", (int)n, q);
		p = strstr(p, name);
		if (p == NULL) {
			same = 0;
			tap_diag("man lacks or misorders: %s", name);
			break;
		}
		count++;
	}
	ok(same, "man: one .It per setting, in dump order");
	is_int(count, 54, "man: 54 settings");
	ok(strstr(man, "Default:\n.Ql 2s .\n") != NULL, "man: defaults shown");
	ok(strstr(man, "From 100ms to 30s.\n") != NULL, "man: ranges shown");
	ok(strstr(man, ".It Cm on_oversize Ns = Ns Cm accept | tempfail\n") != NULL,
	    "man: enum words shown");
	/* Lines stay under 80 bytes and none starts with a roff control character
	 * except our own macros. */
	for (p = man, same = 1; *p; p = q + 1) {
		q = strchr(p, '\n');
		if (q - p >= 80 || (*p == '\'' ) ||
		    (*p == '.' && strncmp(p, ".It ", 4) != 0 && strncmp(p, ".Ql ", 4) != 0))
			same = 0;
	}
	ok(same, "man: short lines, only .It and .Ql requests");
	free(man);
	free(dump);
	config_free(&d);
}

/* Arbitrary bytes never crash and either parse or give a FILE:LINE error. */
static void
test_garbage(void)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz_=#\" \t\n\\,:./[]0123456789\r\x01\x80";
	unsigned seed = 12345, bad_prefix = 0, i, j, n, errors = 0;
	char buf[600], err[512];
	struct config *c;

	for (i = 0; i < 20000; i++) {
		n = (seed = seed * 1103515245 + 12345) % sizeof(buf);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		/* Half the time, start from a real setting name. */
		if (i % 2 && n > 20)
			memcpy(buf, "trusted_clients = ", 18);
		err[0] = '\0';
		c = config_parse("g", buf, n, err, sizeof(err));
		if (c == NULL) {
			errors++;
			if (strncmp(err, "g:", 2) != 0 || strspn(err + 2, "0123456789") == 0)
				bad_prefix++;
		}
		config_free(&c);
	}
	ok(errors > 0, "garbage: some inputs rejected (%u)", errors);
	is_int(bad_prefix, 0, "garbage: every error starts 'g:LINE:'");
}

int
main(void)
{
	srcdir = getenv("top_srcdir");
	if (srcdir == NULL)
		srcdir = ".";
	test_limits();
	test_files();
	test_arc_key();
	test_example_conf();
	test_man();
	test_garbage();
	return tap_done();
}
