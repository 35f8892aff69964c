/*
 * `compauthd --import FILE...`: reads opendkim.conf, opendmarc.conf and
 * openarc.conf files and writes the equivalent compauthd.conf, with every
 * setting that could not be carried over listed, and why.
 */
#ifndef COMPAUTHD_IMPORT_H
#define COMPAUTHD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One file's text, already read (import_text) or to be read (import_run). */
struct import_file {
	const char *name;               /* as named on the command line */
	const char *text;
	size_t len;
};

struct import_opts {
	/*
	 * Read the files that dataset values name (refile:/path, file:/path,
	 * IgnoreHosts /path). Off in the fuzz target, whose input must not
	 * open whatever path it spells.
	 */
	bool read_datasets;
};

/*
 * Reads every file (at most IMPORT_FILE_MAX bytes each), then writes the
 * configuration to out and the settings not carried over to err. Returns
 * 0, or EX_CONFIG when a file cannot be read (nothing is written to out
 * then), or EX_SOFTWARE when our own output would not parse (a bug).
 */
int import_run(char *const *paths, size_t n, FILE *out, FILE *err);
/* The same on texts already in memory (tests, fuzzing). */
int import_text(const struct import_file *files, size_t n, const struct import_opts *o,
    FILE *out, FILE *err);

/*
 * The program(s) whose configuration knows key ("OpenDKIM", ...), or NULL:
 * the hint for a setting compauthd does not know.
 */
const char *import_program_of(const char *key);

#define IMPORT_FILE_MAX (1024 * 1024)

#endif
