/*
 * One message must not stall DNS for everyone: the resolver thread
 * delivers every answer, and a message holding its own set's lock for
 * long (signature mathematics at end of message, after it cancelled the
 * set) must never make that thread wait. Before the fix the thread took
 * the cancelled set's lock to drop a late answer, and every other
 * message's answers queued behind it.
 */
#include <string.h>

#include "dnstest.h"
#include "tap.h"

static unsigned answered;

static void
count_cb(void *arg, const struct dns_answer *ans)
{
	(void)arg;
	(void)ans;
	answered++;
}

int
main(void)
{
	char path[1024];
	struct resolver *r;
	struct dns_set *slow, *other;
	uint64_t t0;
	unsigned left;

	if (dnstest_zone_write(path, sizeof(path), "stall",
	    "a.example. A 192.0.2.1\nb.example. A 192.0.2.2\n") != 0)
		return 1;
	r = dnstest_resolver(path, 200);
	if (r == NULL)
		return 1;
	slow = dns_set_new(r, 8, "SLOW");
	other = dns_set_new(r, 8, "OTHER");
	dns_set_lock(slow);
	ok(dns_query(slow, "a.example", DNS_T_A, count_cb, NULL) == DNS_Q_SENT, "slow message asks");
	dns_set_unlock(slow);
	usleep(50 * 1000);      /* the query is in flight, its answer not yet due */
	/* End of message: cancel, then hold the lock as long work would. */
	dns_set_cancel(slow);
	dns_set_lock(slow);
	dns_set_lock(other);
	ok(dns_query(other, "b.example", DNS_T_A, count_cb, NULL) == DNS_Q_SENT, "other message asks");
	dns_set_unlock(other);
	t0 = dns_now_ms();
	left = dns_set_wait(other, t0 + 3000);
	is_int(left, 0, "the other message is answered while the slow one holds its lock");
	ok(dns_now_ms() - t0 < 2500, "without waiting for the slow message");
	dns_set_unlock(slow);
	is_int(answered, 1, "the cancelled set's answer ran no callback");
	dns_set_free(&slow);
	dns_set_free(&other);
	resolver_free(&r);
	unlink(path);
	return tap_done();
}
