/* SPDX-License-Identifier: MIT */
/*
 * Endpoints as the proxy's pool tells them apart: a TLS endpoint is
 * another place than the same address in the clear, and than the same
 * address with another peer (a server started again with new keys), so
 * no pooled connection crosses from one to the other; the logs say which.
 */
#include <string.h>

#include "hub/endpoint.h"
#include "unit.h"

TEST(endpoint_tls_kinds)
{
	struct endpoint plain, a, b;
	char            buf[96];
	/* Only compared and printed, never dereferenced. */
	struct tlspeer *p1 = (struct tlspeer *)&plain,
	               *p2 = (struct tlspeer *)&a;

	endpoint_tcp(&plain, "10.0.0.5", 40001);
	endpoint_tcp(&a, "10.0.0.5", 40001);
	a.tls = p1;
	endpoint_tcp(&b, "10.0.0.5", 40001);
	b.tls = p1;
	ASSERT(endpoint_eq(&a, &b));
	ASSERT(!endpoint_eq(&a, &plain));
	b.tls = p2;
	ASSERT(!endpoint_eq(&a, &b));
	ASSERT_STR_EQ(endpoint_text(&a, buf, sizeof(buf)),
	    "tls:10.0.0.5:40001");
	ASSERT_STR_EQ(endpoint_text(&plain, buf, sizeof(buf)),
	    "10.0.0.5:40001");
	ASSERT_STR_EQ(endpoint_host_header(&a, buf, sizeof(buf)),
	    "10.0.0.5:40001");
	endpoint_tcp(&a, "fd00::5", 40001);
	a.tls = p1;
	ASSERT_STR_EQ(endpoint_text(&a, buf, sizeof(buf)),
	    "tls:[fd00::5]:40001");
	ASSERT_STR_EQ(endpoint_host_header(&a, buf, sizeof(buf)),
	    "[fd00::5]:40001");
}
