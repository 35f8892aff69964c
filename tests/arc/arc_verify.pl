#!/usr/bin/perl
# ARC chain verification by Mail::DKIM (Debian libmail-dkim-perl), a second
# verifier independent of ours, for the tests. Reads the message on stdin;
# the keys come from a file of "name<TAB>TXT record" lines instead of DNS.
# Prints the chain result ("pass", "fail", "none") and Mail::DKIM's detail.
use strict;
use warnings;
use Mail::DKIM::ARC::Verifier;
use Net::DNS;

my %keys;
open(my $fh, '<', $ARGV[0]) or die "$ARGV[0]: $!\n";
while (my $line = <$fh>) {
    chomp $line;
    my ($name, $txt) = split(/\t/, $line, 2);
    $keys{lc $name} = $txt;
}
close($fh);

no warnings 'redefine';
*Mail::DKIM::DNS::query = sub {
    my ($domain, $type) = @_;
    my $txt = $keys{lc $domain};
    return () unless defined $txt && $type eq 'TXT';
    my @parts = map { substr($txt, $_ * 255, 255) } 0 .. int((length($txt) - 1) / 255);
    return (Net::DNS::RR->new(name => $domain, type => 'TXT', ttl => 300,
        txtdata => [@parts]));
};

my $arc = Mail::DKIM::ARC::Verifier->new();
while (my $line = <STDIN>) {
    $line =~ s/\r?\n\z/\r\n/;
    $arc->PRINT($line);
}
$arc->CLOSE;
print $arc->result, " ", ($arc->result_detail // ''), "\n";
