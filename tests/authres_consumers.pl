#!/usr/bin/perl
# The Perl readers of Authentication-Results, for tests/authres_consumers.py.
# stdin: one header value a line, in hex. stdout: one line a value,
# "<mar>\t<mar-utf8>\t<sa>":
#   mar       the authserv-id Mail::AuthenticationResults reads from the
#             value as bytes, "-" when it rejects it;
#   mar-utf8  the same for the value decoded as UTF-8 (as a reader of
#             RFC 6532 mail would hand it over), "-" when not;
#   sa        1 when SpamAssassin's AuthRes plugin, told to trust only the
#             authserv-id given as the argument, takes a result from a
#             message carrying the field, else 0.
# A reader that is not installed gives "?" in its columns.
#
# With --read first: for each value (one of ours), "<mar>\t<sa>", each the
# results that reader takes from it, "method=result ptype.name=value ..."
# joined by ";" (SpamAssassin's sorted by method), "-" when it rejects it.
# With --block first: each line is a whole header block in hex (our fields
# as a message carries them, "Name: value" lines, folds kept); prints what
# SpamAssassin reads from a message with that header, as --read does.
use strict;
use warnings;
use Encode ();

my $read = @ARGV && $ARGV[0] eq '--read' ? shift @ARGV : undef;
my $block = @ARGV && $ARGV[0] eq '--block' ? shift @ARGV : undef;
my $ours = shift @ARGV or die "usage: authres_consumers.pl [--read] authserv-id\n";
my $have_mar = eval { require Mail::AuthenticationResults::Parser; 1 };
my ($sa, $authres);
if (eval { require Mail::SpamAssassin; 1 }) {
    # No rules, no network, no user state: only the plugin.
    my $tmp = $ENV{TMPDIR} || '/tmp';
    my $empty = "$tmp/cad-sa-empty.$$";
    mkdir $empty;
    $sa = Mail::SpamAssassin->new({
        dont_copy_prefs => 1, local_tests_only => 1,
        site_rules_filename => $empty, rules_filename => $empty,
        userprefs_filename => '/dev/null',
        post_config_text => "loadplugin Mail::SpamAssassin::Plugin::AuthRes\n"
            . "authres_trusted_authserv $ours\nauthres_networks all\n"
            . "util_rb_tld example\nutil_rb_2tld demo.example\n",
    });
    $sa->init(0);
    rmdir $empty;
    ($authres) = grep { ref($_) =~ /::AuthRes$/ } @{ $sa->{plugins}->{plugins} };
    $sa = undef unless $authres;
}

sub mar {
    my ($v) = @_;
    my $id = eval {
        local $SIG{__WARN__} = sub { };
        Mail::AuthenticationResults::Parser->new()->parse($v)->value()->value();
    };
    return defined $id && $id ne '' ? $id : '-';
}

sub sa_reads {
    my ($v) = @_;
    (my $field = $v) =~ s/\r\n/\n/g;
    my $msg = $sa->parse("Authentication-Results:$field\nFrom: a\@example.org\n"
        . "Subject: x\n\nbody\n");
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $authres->parsed_metadata({ permsgstatus => $pms });
    my $n = scalar keys %{ $pms->{authres_result} || {} };
    $pms->finish;
    $msg->finish;
    return $n ? 1 : 0;
}

sub mar_results {
    my ($v) = @_;
    my $r = eval {
        local $SIG{__WARN__} = sub { };
        my $h = Mail::AuthenticationResults::Parser->new()->parse($v);
        join(';', map {
            my $e = $_;
            join(' ', $e->key() . '=' . $e->value(),
                 map { $_->key() . '=' . $_->value() }
                 grep { $_->isa('Mail::AuthenticationResults::Header::SubEntry') }
                 @{ $e->children() })
        } grep { $_->isa('Mail::AuthenticationResults::Header::Entry') } @{ $h->children() });
    };
    return defined $r ? $r : '-';
}

sub sa_results {
    my ($v, $head) = @_;
    (my $field = $v) =~ s/\r\n/\n/g;
    $field = "Authentication-Results:$field\n" unless $head;
    my $msg = $sa->parse("${field}From: a\@example.org\n" . "Subject: x\n\nbody\n");
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $authres->parsed_metadata({ permsgstatus => $pms });
    my $p = $pms->{authres_parsed} || {};
    my @out;
    for my $m (sort keys %$p) {
        for my $r (@{ $p->{$m} }) {
            my $props = $r->{properties};
            push @out, join(' ', "$m=$r->{result}", map {
                my $t = $_;
                map { "$t.$_=$props->{$t}{$_}" } sort keys %{ $props->{$t} }
            } sort keys %$props);
        }
    }
    $pms->finish;
    $msg->finish;
    return @out ? join(';', @out) : '-';
}

$| = 1;
while ($block && (my $line = <STDIN>)) {
    chomp $line;
    print $sa ? sa_results(pack('H*', $line), 1) : '?', "\n";
}
while ($read && (my $line = <STDIN>)) {
    chomp $line;
    my $v = pack('H*', $line);
    print join("\t", $have_mar ? mar_results($v) : '?', $sa ? sa_results($v) : '?'), "\n";
}
while (my $line = <STDIN>) {
    chomp $line;
    my $v = pack('H*', $line);
    my @out;
    if ($have_mar) {
        push @out, mar($v);
        my $u = eval { Encode::decode('UTF-8', $v, Encode::FB_CROAK | Encode::LEAVE_SRC) };
        push @out, defined $u ? Encode::encode('UTF-8', mar($u)) : '-';
    } else {
        push @out, '?', '?';
    }
    push @out, $sa ? sa_reads($v) : '?';
    print join("\t", @out), "\n";
}
