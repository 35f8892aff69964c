"""
Tiny TAP producer for the milter protocol tests: ok/is_/skip/diag, the
plan printed at the end (automake's tap-driver accepts a trailing plan),
and an uncaught exception turned into a failed test instead of a silent
stop.
"""

import sys
import traceback

_count = 0
_failed = 0


def diag(msg):
    for line in str(msg).splitlines() or ['']:
        print('# ' + line)
    sys.stdout.flush()


def ok(cond, name, detail=None):
    global _count, _failed
    _count += 1
    name = name.replace('#', '\\#').replace('\n', ' ')
    print('%s %d - %s' % ('ok' if cond else 'not ok', _count, name))
    if not cond:
        _failed += 1
        if detail is not None:
            diag(detail)
    sys.stdout.flush()
    return bool(cond)


def is_(got, expected, name):
    return ok(got == expected, name,
              'expected: %r\n     got: %r' % (expected, got))


def isnt(got, unexpected, name):
    return ok(got != unexpected, name, 'got the unexpected %r' % (got,))


def skip(name, reason):
    global _count
    _count += 1
    print('ok %d - %s # SKIP %s' % (_count, name.replace('#', '\\#'),
                                    reason))
    sys.stdout.flush()


def skip_all(reason):
    print('1..0 # SKIP %s' % reason)
    sys.stdout.flush()
    sys.exit(0)


def bail_out(reason):
    print('Bail out! %s' % reason)
    sys.stdout.flush()
    sys.exit(1)


def failed():
    return _failed


def done():
    print('1..%d' % _count)
    sys.stdout.flush()
    return 0


def run(main):
    """Runs main(); an exception is one failed test plus its traceback."""
    try:
        main()
    except SystemExit:
        raise
    except BaseException:
        ok(False, 'no uncaught exception', traceback.format_exc())
    done()
    sys.exit(0)
