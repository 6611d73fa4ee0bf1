# Run by tests/debian/run.sh (case perl_backticks): backticks, system(),
# piped opens and fork in perl, each a child process.  Output must be
# deterministic and must not name pids or the directory.
use strict;
use warnings;
$| = 1;

my $out = `echo hello from backticks`;
print "backticks: $out";
print "backticks status: ", $? >> 8, "\n";
my @lines = `printf 'c\\nb\\na\\n' | sort`;
chomp @lines;
print "list context: ", scalar(@lines), " lines: @lines\n";
my $n = qx{seq 1 100 | grep -c 5};
print "qx pipeline: $n";
`sh -c 'exit 3'`;
print "backticks exit status: ", $? >> 8, "\n";

my $rc = system("true");
print "system(true): rc $rc, \$? ", $? >> 8, "\n";
system("false");
print "system(false): ", $? >> 8, "\n";
system("sh", "-c", "exit 17");
print "system list form, exit 17: ", $? >> 8, "\n";
system("echo shell form > /dev/null; exit 5");
print "system shell form, exit 5: ", $? >> 8, "\n";
system("sh", "-c", 'kill -TERM $$');
print "system killed by signal: ", $? & 127, "\n";
{
	no warnings 'exec';
	$rc = system("/nonexistent/program");
}
print "system of a missing program: ", $rc, "\n";
system("echo system writes to our stdout");

open(my $in, "-|", "seq", "1", "10") or die "open -|: $!";
my $sum = 0;
$sum += $_ while <$in>;
close($in);
print "open -| seq: sum $sum, close status ", $? >> 8, "\n";
open($in, "-|", "sh -c 'echo partial; exit 4'") or die;
my $first = <$in>;
close($in);
print "open -| with exit 4: read $first", "close status ", $? >> 8, "\n";
open($in, "ls missing-file 2>&1 |") or die;
my $msg = <$in>;
close($in);
print "two-argument pipe open: ", ($msg =~ /No such file/ ? "error message read" : "no message"), ", status ", $? >> 8, "\n";

open(my $outp, "|-", "tr a-z A-Z > upper.txt") or die "open |-: $!";
print $outp "written through a pipe\n";
close($outp);
open(my $f, "<", "upper.txt") or die;
print "open |- tr: ", <$f>;
close($f);

my $pid = open(my $kid, "-|") // die "fork: $!";
if ($pid == 0) {
	print "from the forked child\n";
	exit 0;
}
print "implicit fork open: ", <$kid>;
close($kid);

pipe(my $r, my $w) or die;
$pid = fork() // die "fork: $!";
if ($pid == 0) {
	close $r;
	print $w "child sum ", 6 * 7, "\n";
	close $w;
	exit 9;
}
close $w;
my $got = <$r>;
waitpid($pid, 0);
print "fork and pipe: $got", "child exit status: ", $? >> 8, "\n";
exit 6;
