#!/usr/bin/perl
# ARC sealing by Mail::DKIM (Debian libmail-dkim-perl), an independent
# sealer whose chains our validator must accept, for the tests.
# usage: arc_sign.pl KEY.pem DOMAIN SELECTOR TIMESTAMP < message > sealed
# The message needs an Authentication-Results header of DOMAIN (its
# arc= result, if any, gives cv=); the sealed message is the ARC set
# followed by the message as read.
use strict;
use warnings;
use Mail::DKIM::ARC::Signer;
use Mail::DKIM::TextWrap;

my ($key, $domain, $selector, $t) = @ARGV;
my $signer = Mail::DKIM::ARC::Signer->new(
    Algorithm => 'rsa-sha256', Chain => 'ar', Domain => $domain, SrvId => $domain,
    Selector => $selector, KeyFile => $key, Timestamp => $t,
    Headers => 'from:to:subject:date:message-id');
my $msg = '';
while (my $line = <STDIN>) {
    $line =~ s/\r?\n\z/\r\n/;
    $msg .= $line;
    $signer->PRINT($line);
}
$signer->CLOSE;
die 'not sealed: ' . ($signer->result_detail // '') . "\n" unless $signer->result eq 'sealed';
my $set = $signer->as_string;
$set =~ s/\r?\n/\r\n/g;
$set .= "\r\n" unless $set =~ /\r\n\z/;
print $set, $msg;
