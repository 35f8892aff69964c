/*
 * DKIM key records a sender can publish to make one RSA verification
 * slow (dkimkey.h: DKIMKEY_RSA_MAX_BITS, DKIMKEY_RSA_MAX_E_BITS), as zone
 * lines for the tests' zone backend: a 2560-bit modulus with a 2559-bit
 * public exponent (about 4 ms a verification instead of 0.05; its record
 * still fits libopendkim's 1024-byte key buffer), and a 9216-bit modulus.
 * Random numbers, not key pairs: a verification costs the same whether
 * or not anyone could sign for them. Made once with python3-cryptography
 * (random.seed(12)).
 */
#ifndef COMPAUTHD_TESTS_DKIM_COSTLY_KEYS_H
#define COMPAUTHD_TESTS_DKIM_COSTLY_KEYS_H

#define COSTLY_KEYS_ZONE(d) \
	"bige._domainkey." d ". TXT \"v=DKIM1; k=rsa; p=MIICoTANBgkqhkiG9w0BAQEFAAOCAo4AMIICiQKCAUEAlW" \
	"b+INDRj7CB2vu7K9SvwY4eVUANJX2i4rUK4bJjvqT55Tz7Kdy3nI7j6a2fF3mB4cynsFACqrSKHA8iIpPqKPiohRhs" \
	"V0S8qS5rlRzOnHdxmSeQ8lvIz2x+xRX8tNAr/Uy4sxdKVU85JoR7gkj4A6l7zCXqP6Uc0dTSsw+Ple/rPXhzBMNAWx" \
	"ZcmCvX\" \"p79ezEGaXmeUzS6ucpr/VkWa/tG6XA+v26kdg3YJmBMZneAzGy+z0Z4yJJOCzHEPDxxpNdMNdOft2Gd" \
	"W9UerKYpZ+F4eqXhwp25J+mDb1iUykEGfzbnhqUxWuQBtLMeO5YsGOkbmsJn5FrHdRa8csMquHHXQ3WbPcvhYpLZvj" \
	"EYoBNt7h6niX+/pEf8ionsCx7/yYbM5/ySBdOVZi4jbqpngeYd1HUyoUB4sRNzaanl9dt8CggFAelIcEE\" \"gqUq" \
	"JW8+7xNXN8j15JRe11kjJgg5aumw1TuhG50wh8ow3SHZohHatYHBTPf5CSXEbL01Vu+LQ0CW6+xEYW5z2yJjXLE/aP" \
	"8S2Up3g4e+i4jMrsccDX/MUaRNtum3dAVMWcdKs0U+ccY2QZEQshu7ptX80YrPevFTjf/7cGlvVhhN0B+ghf/vhuHp" \
	"ji2+zk6tKTypRhg6nrBzRluC3ttqeAAMtgw9xp/M9jLUmSvy9zgufdyV8LSn9dArIA\" \"VdHOkTwnJyhAm9MFHSQ" \
	"e1k9Vxz2sfGA7YrZM/rCrV3rdutCxXPX+JPDrIapbOXA3QvXXXqnhbifJjNnf+e8LPDEeKBz3q2KoFSl1XbnwmCWkB" \
	"r8MB8563oqIwGdic+0Gm/rZT3oNe9p4Nw7UmJGN2KsLzvprORypm4EfR2aIZL8=\"\n" \
	"big._domainkey." d ". TXT \"v=DKIM1; k=rsa; p=MIIEojANBgkqhkiG9w0BAQEFAAOCBI8AMIIEigKCBIEA7dj" \
	"R8gvAySJ+no+uQHlBGSJuNgKLV0VKzQeIiznFycV6IUq1IssgVyucdbZOpHiNoe3FQVxgBAflTHeTf/l1X8Zq1WpSf" \
	"+6gBFq+d7t1FWrDEW4eWaif1E/i/W2uR85akgaQlY3LMJIbN5MP+PGI5Q1gHT6pzEm3cJ5g8axjMs6FexkVZTG9Asq" \
	"4If7C\" \"5GnMsuiyXIm5vQZoVHdQOj3C2MW0J4vU6FNEDJrvuNrVeWrJEo1PdapwyHXNzYA/9+SNtL3FsdfGzumA" \
	"OlhWm0WSEmOL6np28gBMgC5bgimPhJdVH7CKsrZMS+cWcT+AQ8z1JY3BAes6gIKEMtkVOGrNVEvKLz5utVaLsD/0iT" \
	"OKuFTZSfqDR5n1DF3R7ilcPVbn9sDBNAH6Oig5bfeF8Zyf2hjM1/dT07kg4mCbhD0EJwN0+wXcV10ljp\" \"geF8u" \
	"q2oD/DoGp/y3rJ6F8QUCKcZWb+598Yrt84fSzNYtRTAedD10tAQsQXZhBjW+fNLLvSO8QoxtrPajN/XStrH+vwnbqP" \
	"y4Bqy2yHhN8T4MuyE/+gxq4gOsOFy12+K/Ais4kTZIGVRyg8K9ukFUVFT2kUtcArFsTBHRoKXB+El0Joz7qEm6Up6X" \
	"qZOd5Ya3a6YGzW8NDmVg80IjE7gc2QAeIH+2t65xzTXefQn97feGPSIqnIdevw3Hh\" \"sGmtwMsAZ6fvHCiiRUxm" \
	"SE/mpvYwXj+AWmlLyrXVJ5cZKchIyttb7GElCIjtUuTKygOEVzM+RseI8Ww2alxrIekXMzISr49z5cEGogm11ITMOB" \
	"4QB+i/Zedf2h0nyeBmtcsqk7BVp/kEYXPwKTJOFpA2Ns9ikfDivF+0GaNYIB1eVA6P+uIW3Fj0UyiOkuG4lIWZcjLx" \
	"HxPKCylqZ5xn1ualauYXxniVlqO0i25hhJ5q6329CglQScKr0m\" \"BCBrtN9kTTYO+4xUXrgM0muANRHJ/u34WR+" \
	"ObQj1ewbA8MvHT6vwp5eMX3I29ucbczRMuwPcFSPCNsxD1rmkdCRA2DguLtiXGO2m+9IbktHQb6ez6xsNj+APH2jq7" \
	"sapsHTOhyQUPaUYVe+nRI9xywu+fsHjbNQk7Kx4URtGbxYXHx+aSyKy5lo+Y284PiUAvctr5p8aOrn1R69I1HPv/PC" \
	"8Zqit+ICxGd7BoySpQJsXLkXR0pgoIHvSMA\" \"WOTyDTRx4HEW8llzd689bGtDPt7dWo5/MaCDW2t9YBk5ejYh9Y" \
	"CQS0yG+QJVyL+w8DrBcbEePEkso7Bxj0eJaJPU+vSxqyiNOMmTL7bhyIJHUoyBAO1xGroGHu/gJ6FolIDr5VeL64Gx" \
	"/51gilxnXHL7203oHbYCfJ571i8/X8/1Cj7xnoBcL2MCNZD3y4GT7z3YoK8t9lWfV3+IR80mzhzFSs9P6lseEESsTB" \
	"HynFgxAbVnSJterwrpe5\" \"PdOEpUxb+fhC3ENUe2MHGGzy6RFbZdO7zgjIHdqOyboZh2+GA3KuVouv0QMuj0tVR" \
	"sPWrlvXskbBfbBKg49XCD77JrKzB57FWjAgMBm3M=\"\n"

#endif
