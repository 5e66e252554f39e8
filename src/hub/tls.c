/* SPDX-License-Identifier: MIT */
/*
 * TLS for the hub's listener. The hub serves HTTPS from its first start:
 * when no certificate is configured it makes a self-signed one for every
 * name and address the machine answers to, and makes it again when that
 * set grows, when it nears expiry, or when the files stop making sense
 * (unreadable, corrupt, key and certificate from different pairs). The
 * server context allows TLS 1.2 and 1.3 with AEAD ciphers only and speaks
 * HTTP/1.1 alone. OpenSSL 3 API only: nothing deprecated is used.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/log.h"
#include "tls.h"
#include "lib/util.h"

/* Largest PEM file read: a certificate chain is a few kilobytes. */
#define TLS_MAX_PEM (1024 * 1024)
/* Lifetime of a self-signed certificate, and how long before its end it is
 * made anew. 825 days is the longest some clients (Apple's) accept. */
#define TLS_VALID_DAYS 825
#define TLS_RENEW_DAYS 30
/* Longest DNS name (RFC 1035) and longest CN (RFC 5280 ub-common-name). */
#define TLS_MAX_DNS_NAME 253
#define TLS_MAX_CN 64

/* TLS 1.2 only; 1.3 suites are all AEAD with forward secrecy already.
 * RSA entries stay for operators who bring their own RSA certificate. */
/* TLS 1.3, in the server's order: AES-128-GCM first (TLS 1.3's mandatory
 * suite, as BoringSSL and Go order it), which encrypts a large download
 * faster than AES-256 does with the same hardware help. */
#define TLS_SUITES_13                                                          \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"                       \
	"TLS_CHACHA20_POLY1305_SHA256"
#define TLS_CIPHERS_12                                                         \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"           \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"           \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

static int         name_ip(const char *, unsigned char *);
static int         name_valid(const char *);
static int         no_password_cb(char *, int, int, void *);
static X509       *cert_load(const char *);
static EVP_PKEY   *key_load(const char *);
static int         san_has(const GENERAL_NAMES *, const char *);
static const char *cert_problem(const char *, const char *,
    const char *const *);
static int         cert_add_names(X509 *, const char *const *);
static int         cert_add_exts(X509 *);
static X509       *cert_make(EVP_PKEY *, const char *const *);
static int         pem_write(const char *, const char *, X509 *, EVP_PKEY *);
static int         names_has(char **, size_t, const char *);
static void        names_add(char ***, size_t *, size_t *, const char *);
static int alpn_select_cb(SSL *, const unsigned char **, unsigned char *,
    const unsigned char *, unsigned int, void *);

/*
 * Parses 'name' as an IP address into 'ip' (16 bytes). Returns 4 or 16
 * for IPv4 or IPv6, 0 if 'name' is not an address (so a DNS name).
 */
static int
name_ip(const char *name, unsigned char *ip)
{
	if (inet_pton(AF_INET, name, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, name, ip) == 1)
		return 16;
	return 0;
}

/*
 * Whether 'name' is an IP address or a plausible DNS name: letters, digits,
 * '-', '_' and '.', not empty, at most 253 bytes. Host names come from the
 * machine, and a space or a comma there must not reach a certificate.
 */
static int
name_valid(const char *name)
{
	unsigned char ip[16];
	size_t        len;

	if (name_ip(name, ip) != 0)
		return 1;
	len = strlen(name);
	if (len == 0 || len > TLS_MAX_DNS_NAME)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
			continue;
		return 0;
	}
	return 1;
}

/* Refuses to ask for a passphrase: OpenSSL's default prompts on the tty. */
static int
no_password_cb(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* Reads the first PEM certificate in 'path'. NULL on error, with errno set:
 * EINVAL, and OpenSSL's queue filled, if it did not parse. */
static X509 *
cert_load(const char *path)
{
	X509  *x = NULL;
	BIO   *bio;
	char  *data;
	size_t len;

	data = read_file(path, TLS_MAX_PEM, &len);
	if (data == NULL)
		return NULL;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio != NULL)
		x = PEM_read_bio_X509(bio, NULL, no_password_cb, NULL);
	BIO_free(bio);
	free(data);
	if (x == NULL)
		errno = EINVAL;
	return x;
}

/* Reads the PEM private key in 'path', wiping the copy read. NULL on error,
 * as for cert_load(). Encrypted keys are refused, not prompted for. */
static EVP_PKEY *
key_load(const char *path)
{
	EVP_PKEY *pkey = NULL;
	BIO      *bio;
	char     *data;
	size_t    len;

	data = read_file(path, TLS_MAX_PEM, &len);
	if (data == NULL)
		return NULL;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio != NULL)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password_cb, NULL);
	BIO_free(bio);
	explicit_bzero(data, len);
	free(data);
	if (pkey == NULL)
		errno = EINVAL;
	return pkey;
}

/* Whether subjectAltName 'gens' holds 'name': DNS names compared without
 * case, addresses by their bytes (so "::1" matches "0:0::1"). */
static int
san_has(const GENERAL_NAMES *gens, const char *name)
{
	unsigned char ip[16];
	size_t        namelen = strlen(name);
	int           iplen, type;

	iplen = name_ip(name, ip);
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING  *s;
		const void         *p;
		int                 slen;

		s = GENERAL_NAME_get0_value(gn, &type);
		if (s == NULL)
			continue;
		p = ASN1_STRING_get0_data(s);
		slen = ASN1_STRING_length(s);
		if (iplen != 0 && type == GEN_IPADD) {
			if (slen == iplen && memcmp(p, ip, (size_t)iplen) == 0)
				return 1;
		} else if (iplen == 0 && type == GEN_DNS) {
			if ((size_t)slen == namelen &&
			    strncasecmp(p, name, namelen) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * Why the pair at 'cert_path' and 'key_path' will not do for 'names', or
 * NULL if it will. Leaves OpenSSL's error queue empty: a file that does not
 * parse is a reason to make a new one, not an error.
 */
static const char *
cert_problem(const char *cert_path, const char *key_path,
    const char *const *names)
{
	GENERAL_NAMES *gens = NULL;
	X509          *x;
	EVP_PKEY      *pkey = NULL;
	const char    *why = NULL;
	time_t         t;

	x = cert_load(cert_path);
	if (x == NULL) {
		why = errno == ENOENT ? "no certificate"
		                      : "certificate unreadable or corrupt";
		goto out;
	}
	pkey = key_load(key_path);
	if (pkey == NULL) {
		why = errno == ENOENT ? "no key" : "key unreadable or corrupt";
		goto out;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(x), pkey) != 1) {
		why = "key does not match certificate";
		goto out;
	}
	t = time(NULL) + (time_t)TLS_RENEW_DAYS * 24 * 60 * 60;
	if (X509_cmp_time(X509_get0_notAfter(x), &t) <= 0) {
		why = "certificate expires soon";
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0) {
		why = "certificate not valid yet";
		goto out;
	}
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL) {
		why = "certificate has no subjectAltName";
		goto out;
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		if (!san_has(gens, names[i])) {
			why = "certificate lacks a name";
			goto out;
		}
	}
out:
	GENERAL_NAMES_free(gens);
	EVP_PKEY_free(pkey);
	X509_free(x);
	ERR_clear_error();
	return why;
}

/* Adds subjectAltName with a DNS: or IP: entry for each of 'names', each
 * once. */
static int
cert_add_names(X509 *x, const char *const *names)
{
	GENERAL_NAMES *gens;
	int            ret = -1;

	gens = GENERAL_NAMES_new();
	if (gens == NULL)
		return -1;
	for (size_t i = 0; names[i] != NULL; i++) {
		GENERAL_NAME *gn;
		ASN1_STRING  *s;
		unsigned char ip[16];
		int           iplen;

		if (san_has(gens, names[i]))
			continue;
		iplen = name_ip(names[i], ip);
		s = iplen != 0 ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
		if (s == NULL)
			goto out;
		if ((iplen != 0 && ASN1_STRING_set(s, ip, iplen) != 1) ||
		    (iplen == 0 && ASN1_STRING_set(s, names[i], -1) != 1)) {
			ASN1_STRING_free(s);
			goto out;
		}
		gn = GENERAL_NAME_new();
		if (gn == NULL) {
			ASN1_STRING_free(s);
			goto out;
		}
		/* gn owns s from here. */
		GENERAL_NAME_set0_value(gn, iplen != 0 ? GEN_IPADD : GEN_DNS,
		    s);
		if (sk_GENERAL_NAME_push(gens, gn) <= 0) {
			GENERAL_NAME_free(gn);
			goto out;
		}
	}
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	        X509V3_ADD_DEFAULT) != 1)
		goto out;
	ret = 0;
out:
	GENERAL_NAMES_free(gens);
	return ret;
}

/*
 * Adds the extensions of a server certificate: basicConstraints CA:FALSE
 * (critical), keyUsage digitalSignature and keyEncipherment (critical),
 * extendedKeyUsage serverAuth, and a subjectKeyIdentifier.
 */
static int
cert_add_exts(X509 *x)
{
	BASIC_CONSTRAINTS  *bc = NULL;
	ASN1_BIT_STRING    *ku = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	X509_EXTENSION     *ext = NULL;
	X509V3_CTX          v3;
	int                 ret = -1;

	bc = BASIC_CONSTRAINTS_new();
	if (bc == NULL)
		goto out;
	bc->ca = 0;
	if (X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1,
	        X509V3_ADD_DEFAULT) != 1)
		goto out;

	ku = ASN1_BIT_STRING_new();
	if (ku == NULL)
		goto out;
	/* Bit 0 is digitalSignature, bit 2 keyEncipherment (RFC 5280). */
	if (ASN1_BIT_STRING_set_bit(ku, 0, 1) != 1 ||
	    ASN1_BIT_STRING_set_bit(ku, 2, 1) != 1)
		goto out;
	if (X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) != 1)
		goto out;

	eku = sk_ASN1_OBJECT_new_null();
	if (eku == NULL)
		goto out;
	/* OBJ_nid2obj() gives a static object: nothing to free. */
	if (sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) <= 0)
		goto out;
	if (X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0,
	        X509V3_ADD_DEFAULT) != 1)
		goto out;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext =
	    X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier, "hash");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1)
		goto out;
	ret = 0;
out:
	X509_EXTENSION_free(ext);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ASN1_BIT_STRING_free(ku);
	BASIC_CONSTRAINTS_free(bc);
	return ret;
}

/*
 * Makes a certificate for 'pkey' signed by itself: a random 159-bit serial
 * (positive and under 20 bytes, as RFC 5280 wants), valid from an hour ago
 * (clocks differ) for TLS_VALID_DAYS, subject CN=names[0], O=rig.
 */
static X509 *
cert_make(EVP_PKEY *pkey, const char *const *names)
{
	X509      *x;
	X509_NAME *subj = NULL;
	BIGNUM    *serial = NULL;
	int        ok = 0;

	x = X509_new();
	if (x == NULL)
		return NULL;
	if (X509_set_version(x, X509_VERSION_3) != 1)
		goto out;
	serial = BN_new();
	if (serial == NULL ||
	    BN_rand(serial, 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL)
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_VALID_DAYS, 0, NULL) ==
	        NULL)
		goto out;

	subj = X509_NAME_new();
	if (subj == NULL)
		goto out;
	/* A name too long for a CN is still in subjectAltName, which is all
	 * that clients check. */
	if (strlen(names[0]) <= TLS_MAX_CN &&
	    X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_ASC,
	        (const unsigned char *)names[0], -1, -1, 0) != 1)
		goto out;
	if (X509_NAME_add_entry_by_NID(subj, NID_organizationName, MBSTRING_ASC,
	        (const unsigned char *)"rig", -1, -1, 0) != 1)
		goto out;
	if (X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, subj) != 1)
		goto out;

	if (X509_set_pubkey(x, pkey) != 1)
		goto out;
	if (cert_add_exts(x) == -1 || cert_add_names(x, names) == -1)
		goto out;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	X509_NAME_free(subj);
	BN_free(serial);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/*
 * Writes 'pkey' to 'key_path' (0600) and 'x' to 'cert_path' (0644), each
 * atomically. The key goes through a secure-memory BIO, which is wiped when
 * freed. The key is written first: a crash between the two leaves a pair
 * that does not match, and the next start makes a new one.
 */
static int
pem_write(const char *cert_path, const char *key_path, X509 *x, EVP_PKEY *pkey)
{
	BIO  *kbio, *cbio = NULL;
	char *data;
	long  len;
	int   ret = -1;

	kbio = BIO_new(BIO_s_secmem());
	if (kbio == NULL ||
	    PEM_write_bio_PrivateKey(kbio, pkey, NULL, NULL, 0, NULL, NULL) !=
	        1) {
		tls_log_errors(key_path);
		goto out;
	}
	len = BIO_get_mem_data(kbio, &data);
	if (len <= 0 ||
	    write_file_atomic(key_path, data, (size_t)len, 0600) == -1) {
		log_warn("write %s", key_path);
		goto out;
	}

	cbio = BIO_new(BIO_s_mem());
	if (cbio == NULL || PEM_write_bio_X509(cbio, x) != 1) {
		tls_log_errors(cert_path);
		goto out;
	}
	len = BIO_get_mem_data(cbio, &data);
	if (len <= 0 ||
	    write_file_atomic(cert_path, data, (size_t)len, 0644) == -1) {
		log_warn("write %s", cert_path);
		goto out;
	}
	ret = 0;
out:
	BIO_free(cbio);
	BIO_free(kbio);
	return ret;
}

int
tls_selfsigned_ensure(const char *cert_path, const char *key_path,
    const char *const *names, const char *const *also, int renew)
{
	EVP_PKEY   *pkey = NULL;
	X509       *x = NULL;
	const char *why;
	char      **all = NULL;
	int         ret = -1;

	if (names == NULL || names[0] == NULL) {
		log_warnx("%s: no names for the certificate", cert_path);
		return -1;
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		if (!name_valid(names[i])) {
			log_warnx("%s: '%s' is neither a DNS name nor an IP "
			          "address",
			    cert_path, names[i]);
			return -1;
		}
	}
	/* One file for both would have the key overwrite the certificate. */
	if (strcmp(cert_path, key_path) == 0) {
		log_warnx("%s: certificate and key need separate files",
		    cert_path);
		return -1;
	}

	why = renew ? "renewal asked for"
	            : cert_problem(cert_path, key_path, names);
	if (why == NULL)
		return 0;
	log_info("%s: %s: making a self-signed certificate", cert_path, why);

	all = tls_names_union(names, also);
	pkey = EVP_EC_gen("P-256");
	if (pkey == NULL) {
		tls_log_errors("EC key generation");
		goto out;
	}
	x = cert_make(pkey, (const char *const *)all);
	if (x == NULL) {
		tls_log_errors("certificate");
		goto out;
	}
	if (pem_write(cert_path, key_path, x, pkey) == -1)
		goto out;
	ret = 1;
out:
	tls_names_free(all);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ret;
}

/* Whether 'v' (of 'n' entries) has 'name', compared without case. */
static int
names_has(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* Appends a copy of 'name' to the NULL-terminated '*vp' unless there. */
static void
names_add(char ***vp, size_t *np, size_t *capp, const char *name)
{
	if (names_has(*vp, *np, name))
		return;
	if (*np + 2 > *capp) {
		*capp = *capp == 0 ? 8 : *capp * 2;
		*vp = xrealloc(*vp, *capp * sizeof(**vp));
	}
	(*vp)[(*np)++] = xstrdup(name);
	(*vp)[*np] = NULL;
}

/*
 * Addresses come as inet_ntop() writes them, so the same address is the
 * same string and the string comparison in names_add() is enough. IPv6
 * link-local addresses are skipped: they mean nothing without a zone,
 * which a URL cannot carry to the certificate check.
 */
char **
tls_default_names(const char *extra)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	char   host[HOST_NAME_MAX + 1];

	names_add(&v, &n, &cap, "localhost");
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if (host[0] != '\0' && name_valid(host))
			names_add(&v, &n, &cap, host);
	} else
		log_warn("gethostname");
	names_add(&v, &n, &cap, "127.0.0.1");
	names_add(&v, &n, &cap, "::1");
	if (extra != NULL) {
		char         *copy = xstrdup(extra), *tok, *save = NULL;
		unsigned char ip[16];

		for (tok = strtok_r(copy, ", ", &save); tok != NULL;
		     tok = strtok_r(NULL, ", ", &save)) {
			if (name_valid(tok) || name_ip(tok, ip) > 0)
				names_add(&v, &n, &cap, tok);
			else
				log_warnx("tls_names: '%s' is not a host name "
				          "or address, left out",
				    tok);
		}
		free(copy);
	}
	return v;
}

char **
tls_address_names(void)
{
	struct ifaddrs *ifa, *i;
	char          **v = NULL;
	size_t          n = 0, cap = 0;
	char            addr[INET6_ADDRSTRLEN];

	/* Never NULL: callers walk the list. */
	v = xcalloc(1, sizeof(*v));
	cap = 1;
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return v;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const void *p;
		int         af;

		if (i->ifa_addr == NULL)
			continue;
		af = i->ifa_addr->sa_family;
		if (af == AF_INET) {
			const struct sockaddr_in *sin;

			sin = (const struct sockaddr_in *)(void *)i->ifa_addr;
			p = &sin->sin_addr;
		} else if (af == AF_INET6) {
			const struct sockaddr_in6 *sin6;

			sin6 = (const struct sockaddr_in6 *)(void *)i->ifa_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
				continue;
			p = &sin6->sin6_addr;
		} else
			continue;
		if (inet_ntop(af, p, addr, sizeof(addr)) == NULL)
			continue;
		names_add(&v, &n, &cap, addr);
	}
	freeifaddrs(ifa);
	return v;
}

char **
tls_names_union(const char *const *a, const char *const *b)
{
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0, cap = 1;

	for (size_t i = 0; a != NULL && a[i] != NULL; i++)
		names_add(&v, &n, &cap, a[i]);
	for (size_t i = 0; b != NULL && b[i] != NULL; i++)
		if (name_valid(b[i]))
			names_add(&v, &n, &cap, b[i]);
	return v;
}

void
tls_names_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Picks "http/1.1" from the client's ALPN list; the hub speaks nothing
 * else. A client offering only other protocols (h2) gets no ALPN answer
 * rather than a fatal alert: it may still speak HTTP/1.1, and if not, the
 * HTTP parser turns it away.
 */
static int
alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const char want[] = "http/1.1";
	unsigned int      i = 0;

	(void)ssl;
	(void)arg;
	while (i < inlen) {
		unsigned int len = in[i];

		if (len > inlen - i - 1)
			break;
		if (len == sizeof(want) - 1 &&
		    memcmp(in + i + 1, want, len) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)len;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + len;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

SSL_CTX *
tls_server_ctx(const char *cert_path, const char *key_path)
{
	static const unsigned char sid_ctx[] = "rig";
	SSL_CTX                   *ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		tls_log_errors("SSL_CTX_new");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_12) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, TLS_SUITES_13) != 1) {
		tls_log_errors("TLS settings");
		goto fail;
	}
	SSL_CTX_set_options(ctx,
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* Connections write from buffers that move and may be written in
	 * part; idle ones give their read and write buffers back. */
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	        SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	if (SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1) !=
	    1) {
		tls_log_errors("session id context");
		goto fail;
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select_cb, NULL);
	SSL_CTX_set_default_passwd_cb(ctx, no_password_cb);

	if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
		tls_log_errors(cert_path);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1) {
		tls_log_errors(key_path);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_log_errors(key_path);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int
tls_fingerprint(const char *cert_path, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char     md[EVP_MAX_MD_SIZE];
	unsigned int      mdlen;
	X509             *x;
	int               r;

	x = cert_load(cert_path);
	if (x == NULL) {
		if (ERR_peek_error() != 0)
			tls_log_errors(cert_path);
		else
			log_warn("read %s", cert_path);
		return -1;
	}
	r = X509_digest(x, EVP_sha256(), md, &mdlen);
	X509_free(x);
	if (r != 1) {
		tls_log_errors(cert_path);
		return -1;
	}
	if (outlen < (size_t)mdlen * 3) {
		log_warnx("%s: fingerprint buffer too small", __func__);
		return -1;
	}
	for (unsigned int i = 0; i < mdlen; i++) {
		out[i * 3] = hex[md[i] >> 4];
		out[i * 3 + 1] = hex[md[i] & 0xf];
		out[i * 3 + 2] = i + 1 < mdlen ? ':' : '\0';
	}
	return 0;
}

/* Logs with the extra text OpenSSL attached to an error, if any; logs once
 * even if the queue is empty, so no failure passes without a line. */
void
tls_log_errors(const char *what)
{
	unsigned long e;
	const char   *file, *func, *data;
	int           line, flags, n = 0;
	char          buf[256];

	while (
	    (e = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		if (data != NULL && (flags & ERR_TXT_STRING) != 0 &&
		    data[0] != '\0')
			log_warnx("%s: %s (%s)", what, buf, data);
		else
			log_warnx("%s: %s", what, buf);
		n++;
	}
	if (n == 0)
		log_warnx("%s: failed (no OpenSSL error)", what);
}
