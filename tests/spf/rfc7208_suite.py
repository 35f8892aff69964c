"""RFC 7208 conformance: every test of the openspf rfc7208-tests.yml suite
(tests/data/spf/) through the evaluator and the resolver's zone backend.
One TAP line per test; ends with "# RFC 7208 suite: N/N"."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spf_suite  # noqa: E402

sys.exit(spf_suite.main("RFC 7208", "rfc7208-tests.yml", gate=True))
