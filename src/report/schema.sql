-- The DMARC report store, schema version 3 (version 1 had no
-- failure_sample and failure_sent, version 2 no history_*; store.c upgrades an older store by
-- running this text again, every statement being IF NOT EXISTS). The same text runs on SQLite
-- and PostgreSQL: store.c replaces "@ID@" by "INTEGER PRIMARY KEY
-- AUTOINCREMENT" (SQLite) or "BIGSERIAL PRIMARY KEY" (PostgreSQL). Times
-- are Unix seconds UTC; domains lower case A-labels; NULL means absent.
CREATE TABLE IF NOT EXISTS meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
-- One evaluated message (what RFC 9990 <record> rows are grouped from).
CREATE TABLE IF NOT EXISTS message (
	id @ID@,
	received BIGINT NOT NULL,
	reporter TEXT NOT NULL,
	qid TEXT,
	source_ip TEXT NOT NULL,
	header_from TEXT NOT NULL,
	envelope_from TEXT,
	envelope_to TEXT,
	policy_domain TEXT,
	policy_p TEXT,
	policy_sp TEXT,
	policy_np TEXT,
	policy_pct INTEGER,
	policy_adkim TEXT,
	policy_aspf TEXT,
	policy_testing TEXT,
	policy_fo TEXT,
	policy_psd TEXT,
	rua TEXT,
	ruf TEXT,
	discovery_method TEXT NOT NULL,
	dmarc_result TEXT NOT NULL,
	dkim_aligned INTEGER NOT NULL,
	spf_aligned INTEGER NOT NULL,
	disposition TEXT NOT NULL,
	override_reason TEXT,
	override_comment TEXT,
	spf_domain TEXT,
	spf_scope TEXT,
	spf_result TEXT,
	compauth TEXT,
	compauth_reason INTEGER,
	is_report INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS message_received ON message (received);
CREATE INDEX IF NOT EXISTS message_policy ON message (policy_domain, received);
-- Every DKIM result of a message, in header order.
CREATE TABLE IF NOT EXISTS message_dkim (
	message_id BIGINT NOT NULL REFERENCES message (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	domain TEXT NOT NULL,
	selector TEXT NOT NULL,
	result TEXT NOT NULL,
	human_result TEXT,
	PRIMARY KEY (message_id, seq)
);
-- compauthd-report's bookkeeping: reports made and sent (one row per
-- report and destination), and destinations that keep failing.
CREATE TABLE IF NOT EXISTS report_sent (
	report_id TEXT NOT NULL,
	policy_domain TEXT NOT NULL,
	begin_time BIGINT NOT NULL,
	end_time BIGINT NOT NULL,
	destination TEXT NOT NULL,
	sent_time BIGINT NOT NULL,
	status TEXT NOT NULL,
	PRIMARY KEY (report_id, destination)
);
CREATE TABLE IF NOT EXISTS destination (
	uri TEXT PRIMARY KEY,
	failures INTEGER NOT NULL DEFAULT 0,
	suppressed_until BIGINT NOT NULL DEFAULT 0,
	last_error TEXT
);
-- Version 2: RFC 9991 failure samples (failure_reports = yes): one per
-- message that failed DMARC under a record with ruf= and a matching fo=;
-- its header section redacted by the daemon (local parts and display names
-- of addresses replaced, only the fields a report needs, never the body).
-- done: compauthd-report --failure has dealt with it (sent, dropped).
CREATE TABLE IF NOT EXISTS failure_sample (
	message_id BIGINT PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
	received BIGINT NOT NULL,
	original_mail_from TEXT,
	auth_results TEXT,
	headers TEXT NOT NULL,
	done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS failure_sample_done ON failure_sample (done, received);
-- One row per failure sample and ruf= destination: sent, failed,
-- rate_limited (over the hourly limit: dropped, counted), too_large,
-- refused (external verification), suppressed, invalid.
CREATE TABLE IF NOT EXISTS failure_sent (
	message_id BIGINT NOT NULL,
	destination TEXT NOT NULL,
	sent_time BIGINT NOT NULL,
	status TEXT NOT NULL,
	PRIMARY KEY (message_id, destination)
);
CREATE INDEX IF NOT EXISTS failure_sent_dest ON failure_sent (destination, sent_time);
-- Version 3: implicit authentication's history (include/history.h),
-- learned by the daemon's writer. Sender history per author
-- organizational domain: its DMARC-passing messages (pass) and, once
-- known, the others (fail); the infrastructure its passing mail used
-- (kind dkim, spf, net, ptr). Recipient history: the organizational
-- domains our authenticated users write to.
CREATE TABLE IF NOT EXISTS history_domain (
	org_domain TEXT PRIMARY KEY,
	pass_count BIGINT NOT NULL,
	fail_count BIGINT NOT NULL DEFAULT 0,
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS history_infra (
	org_domain TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	count BIGINT NOT NULL,
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	PRIMARY KEY (org_domain, kind, value)
);
CREATE TABLE IF NOT EXISTS history_recipient (
	org_domain TEXT PRIMARY KEY,
	count BIGINT NOT NULL,
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
