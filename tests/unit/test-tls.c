/* SPDX-License-Identifier: MIT */
/*
 * Tests for tls.c: the self-signed certificate is made with the right
 * shape, kept while it fits, and made anew when it does not (new name,
 * near expiry, corrupt, mismatched key); the server context completes real
 * handshakes over a socketpair with an OpenSSL client that trusts only that
 * certificate and checks the host name or address.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
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

#include "hub/tls.h"
#include "unit.h"
#include "lib/util.h"

/* A server and a client end joined by a nonblocking socketpair. */
struct pair {
	SSL_CTX *sctx;
	SSL_CTX *cctx;
	SSL     *s;
	SSL     *c;
	int      fd[2];
};

static const char *const test_names[] = { "localhost", "127.0.0.1", "::1",
	"rig.test", NULL };

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", unit_tmpdir(), name);
}

static X509 *
load_cert(const char *path)
{
	BIO  *bio;
	X509 *x;

	bio = BIO_new_file(path, "r");
	ASSERT_NOT_NULL(bio);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

static EVP_PKEY *
load_key(const char *path)
{
	BIO      *bio;
	EVP_PKEY *pkey;

	bio = BIO_new_file(path, "r");
	ASSERT_NOT_NULL(bio);
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return pkey;
}

static void
save_cert(const char *path, X509 *x)
{
	BIO *bio;

	bio = BIO_new_file(path, "w");
	ASSERT_NOT_NULL(bio);
	ASSERT_EQ(PEM_write_bio_X509(bio, x), 1);
	BIO_free(bio);
}

/* Days from now until the certificate at 'path' expires. */
static int
days_left(const char *path)
{
	X509 *x;
	int   days, secs;

	x = load_cert(path);
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)), 1);
	X509_free(x);
	return days;
}

/* Rewrites the certificate at 'cert' to end 'days' from now, signed again
 * with its own key, as if it had been made long ago. */
static void
forge_expiry(const char *cert, const char *key, int days)
{
	X509     *x;
	EVP_PKEY *pkey;

	x = load_cert(cert);
	pkey = load_key(key);
	ASSERT_NOT_NULL(x);
	ASSERT_NOT_NULL(pkey);
	ASSERT_NOT_NULL(X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL));
	ASSERT(X509_sign(x, pkey, EVP_sha256()) > 0);
	save_cert(cert, x);
	EVP_PKEY_free(pkey);
	X509_free(x);
}

static void
make_pair(char **cert, char **key)
{
	*cert = tmp_path("cert.pem");
	*key = tmp_path("key.pem");
	ASSERT_EQ(tls_selfsigned_ensure(*cert, *key, test_names, NULL, 0), 1);
}

static void
pair_open(struct pair *p, const char *cert, const char *key)
{
	p->sctx = tls_server_ctx(cert, key);
	ASSERT_NOT_NULL(p->sctx);
	p->cctx = SSL_CTX_new(TLS_client_method());
	ASSERT_NOT_NULL(p->cctx);
	ASSERT_EQ(SSL_CTX_load_verify_locations(p->cctx, cert, NULL), 1);
	SSL_CTX_set_verify(p->cctx, SSL_VERIFY_PEER, NULL);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd),
	    0);
	p->s = SSL_new(p->sctx);
	p->c = SSL_new(p->cctx);
	ASSERT_NOT_NULL(p->s);
	ASSERT_NOT_NULL(p->c);
	ASSERT_EQ(SSL_set_fd(p->s, p->fd[0]), 1);
	ASSERT_EQ(SSL_set_fd(p->c, p->fd[1]), 1);
	SSL_set_accept_state(p->s);
	SSL_set_connect_state(p->c);
}

static void
pair_close(struct pair *p)
{
	SSL_free(p->c);
	SSL_free(p->s);
	SSL_CTX_free(p->cctx);
	SSL_CTX_free(p->sctx);
	close(p->fd[0]);
	close(p->fd[1]);
}

/* One step of a handshake; 1 done, 0 wants I/O, -1 failed. */
static int
step(SSL *ssl)
{
	int r, e;

	r = SSL_do_handshake(ssl);
	if (r == 1)
		return 1;
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	return -1;
}

/* Runs both ends in turn until both are done (0) or one fails (-1). Both
 * live in this process: the nonblocking sockets let neither wait. */
static int
pair_handshake(struct pair *p)
{
	int cdone = 0, sdone = 0, r;

	for (int i = 0; i < 1000 && !(cdone && sdone); i++) {
		if (!cdone) {
			r = step(p->c);
			if (r == -1)
				return -1;
			cdone = r;
		}
		if (!sdone) {
			r = step(p->s);
			if (r == -1)
				return -1;
			sdone = r;
		}
	}
	ERR_clear_error();
	return cdone && sdone ? 0 : -1;
}

/* Sends a few bytes each way over the finished handshake. */
static void
pair_exchange(struct pair *p)
{
	char buf[16];
	int  n;

	ASSERT_EQ(SSL_write(p->c, "ping", 4), 4);
	n = SSL_read(p->s, buf, sizeof(buf));
	ASSERT_EQ(n, 4);
	ASSERT(memcmp(buf, "ping", 4) == 0);
	ASSERT_EQ(SSL_write(p->s, "pong", 4), 4);
	n = SSL_read(p->c, buf, sizeof(buf));
	ASSERT_EQ(n, 4);
	ASSERT(memcmp(buf, "pong", 4) == 0);
}

/* The protocol the server chose by ALPN, or "" if none. */
static void
alpn_of(SSL *ssl, char *out, size_t outlen)
{
	const unsigned char *p;
	unsigned int         len;

	SSL_get0_alpn_selected(ssl, &p, &len);
	ASSERT(len < outlen);
	if (len > 0)
		memcpy(out, p, len);
	out[len] = '\0';
}

TEST(tls_selfsigned_makes_cert)
{
	struct stat           st;
	X509                 *x;
	EVP_PKEY             *pkey;
	ASN1_INTEGER         *serial;
	BIGNUM               *bn;
	const X509_EXTENSION *ext;
	char                  text[128], *cert, *key;
	int                   days, secs;

	make_pair(&cert, &key);

	ASSERT_EQ(stat(key, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0600);
	ASSERT_EQ(stat(cert, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0644);

	x = load_cert(cert);
	ASSERT_NOT_NULL(x);
	pkey = load_key(key);
	ASSERT_NOT_NULL(pkey);
	ASSERT(EVP_PKEY_is_a(pkey, "EC"));
	ASSERT_EQ(EVP_PKEY_get_group_name(pkey, text, sizeof(text), NULL), 1);
	ASSERT_STR_EQ(text, "prime256v1");
	ASSERT_EQ(EVP_PKEY_eq(X509_get0_pubkey(x), pkey), 1);
	ASSERT_EQ(X509_verify(x, pkey), 1);

	ASSERT_EQ(X509_get_version(x), X509_VERSION_3);
	serial = X509_get_serialNumber(x);
	bn = ASN1_INTEGER_to_BN(serial, NULL);
	ASSERT_NOT_NULL(bn);
	ASSERT_EQ(BN_num_bits(bn), 159);
	ASSERT(!BN_is_negative(bn));
	BN_free(bn);

	ASSERT(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	           NID_commonName, text, sizeof(text)) > 0);
	ASSERT_STR_EQ(text, "localhost");
	ASSERT(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	           NID_organizationName, text, sizeof(text)) > 0);
	ASSERT_STR_EQ(text, "rig");
	ASSERT_EQ(
	    X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)),
	    0);

	/* An hour back for skewed clocks, then 825 days. */
	ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
	              X509_get0_notAfter(x)),
	    1);
	ASSERT_EQ(days, 825);
	ASSERT_EQ(secs, 3600);
	ASSERT_EQ(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notBefore(x)),
	    1);
	ASSERT_EQ(days, 0);
	ASSERT(secs <= -3590 && secs >= -3610);

	ASSERT_EQ(X509_get_extension_flags(x) & EXFLAG_CA, 0);
	ext =
	    X509_get_ext(x, X509_get_ext_by_NID(x, NID_basic_constraints, -1));
	ASSERT_NOT_NULL(ext);
	ASSERT_EQ(X509_EXTENSION_get_critical(ext), 1);
	ASSERT_EQ(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	ASSERT_EQ(X509_get_extended_key_usage(x), XKU_SSL_SERVER);

	ASSERT_EQ(X509_check_host(x, "localhost", 0,
	              X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL),
	    1);
	ASSERT_EQ(X509_check_host(x, "rig.test", 0,
	              X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL),
	    1);
	ASSERT_EQ(X509_check_host(x, "other.test", 0, 0, NULL), 0);
	ASSERT_EQ(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	ASSERT_EQ(X509_check_ip_asc(x, "::1", 0), 1);
	ASSERT_EQ(X509_check_ip_asc(x, "10.0.0.1", 0), 0);

	EVP_PKEY_free(pkey);
	X509_free(x);
	free(cert);
	free(key);
}

TEST(tls_selfsigned_reuses)
{
	char fp1[96], fp2[96], *cert, *key;

	make_pair(&cert, &key);
	ASSERT_EQ(tls_fingerprint(cert, fp1, sizeof(fp1)), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 0);
	ASSERT_EQ(tls_fingerprint(cert, fp2, sizeof(fp2)), 0);
	ASSERT_STR_EQ(fp1, fp2);
	free(cert);
	free(key);
}

/* A subset, other case, and other spellings of the same address are all
 * covered already. */
TEST(tls_selfsigned_same_names_other_spelling)
{
	const char *const names[] = { "LOCALHOST", "0:0:0:0:0:0:0:1",
		"Rig.Test", NULL };
	char             *cert, *key;

	make_pair(&cert, &key);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, names, NULL, 0), 0);
	free(cert);
	free(key);
}

TEST(tls_selfsigned_new_name)
{
	const char *const names[] = { "localhost", "127.0.0.1", "::1",
		"rig.test", "hub.example.org", "192.0.2.7", "2001:db8::7",
		NULL };
	char              fp1[96], fp2[96], *cert, *key;
	X509             *x;

	make_pair(&cert, &key);
	ASSERT_EQ(tls_fingerprint(cert, fp1, sizeof(fp1)), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, names, NULL, 0), 1);
	ASSERT_EQ(tls_fingerprint(cert, fp2, sizeof(fp2)), 0);
	ASSERT(strcmp(fp1, fp2) != 0);

	x = load_cert(cert);
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(X509_check_host(x, "hub.example.org", 0, 0, NULL), 1);
	ASSERT_EQ(X509_check_ip_asc(x, "192.0.2.7", 0), 1);
	ASSERT_EQ(X509_check_ip_asc(x, "2001:db8::7", 0), 1);
	ASSERT_EQ(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	X509_free(x);

	/* A new address alone is a new name too. */
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, names, NULL, 0), 0);
	{
		const char *const more[] = { "localhost", "198.51.100.1",
			NULL };

		ASSERT_EQ(tls_selfsigned_ensure(cert, key, more, NULL, 0), 1);
	}
	free(cert);
	free(key);
}

/* The machine's addresses ('also') go into a new certificate, but an
 * address the machine gains later keeps the one users accepted; renewal
 * asked for makes a new one that has it. */
TEST(tls_selfsigned_keeps_cert_for_new_address)
{
	const char *const also1[] = { "192.0.2.10", NULL };
	const char *const also2[] = { "192.0.2.10", "198.51.100.20", NULL };
	char              fp1[96], fp2[96], *cert, *key;
	X509             *x;

	cert = tmp_path("cert.pem");
	key = tmp_path("key.pem");
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, also1, 0), 1);
	x = load_cert(cert);
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(X509_check_ip_asc(x, "192.0.2.10", 0), 1);
	X509_free(x);
	ASSERT_EQ(tls_fingerprint(cert, fp1, sizeof(fp1)), 0);

	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, also2, 0), 0);
	ASSERT_EQ(tls_fingerprint(cert, fp2, sizeof(fp2)), 0);
	ASSERT_STR_EQ(fp1, fp2);

	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, also2, 1), 1);
	ASSERT_EQ(tls_fingerprint(cert, fp2, sizeof(fp2)), 0);
	ASSERT(strcmp(fp1, fp2) != 0);
	x = load_cert(cert);
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(X509_check_ip_asc(x, "198.51.100.20", 0), 1);
	X509_free(x);
	free(cert);
	free(key);
}

/* The interface addresses: never NULL, no link-local, each fit for a
 * certificate. */
TEST(tls_address_names_sane)
{
	char **v = tls_address_names();

	ASSERT_NOT_NULL(v);
	for (size_t n = 0; v[n] != NULL; n++)
		ASSERT(strncasecmp(v[n], "fe80:", 5) != 0);
	tls_names_free(v);
}

TEST(tls_selfsigned_renews_expiring)
{
	char *cert, *key;

	make_pair(&cert, &key);

	/* 31 days left: kept. */
	forge_expiry(cert, key, 31);
	ASSERT(days_left(cert) >= 30 && days_left(cert) <= 31);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 0);
	ASSERT(days_left(cert) <= 31);

	/* 10 days left: made anew, with the full lifetime. */
	forge_expiry(cert, key, 10);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT(days_left(cert) >= 824);

	/* Already expired. */
	forge_expiry(cert, key, -1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT(days_left(cert) >= 824);
	free(cert);
	free(key);
}

TEST(tls_selfsigned_replaces_corrupt)
{
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64"
	                           "!\n-----END CERTIFICATE-----\n";
	SSL_CTX          *ctx;
	char             *cert, *key;

	make_pair(&cert, &key);
	ASSERT_EQ(write_file_atomic(cert, junk, sizeof(junk) - 1, 0644), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT_EQ(ERR_peek_error(), 0);
	ctx = tls_server_ctx(cert, key);
	ASSERT_NOT_NULL(ctx);
	SSL_CTX_free(ctx);

	/* A corrupt key too. */
	ASSERT_EQ(write_file_atomic(key, "garbage\n", 8, 0600), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 0);

	/* An empty certificate. */
	ASSERT_EQ(write_file_atomic(cert, "", 0, 0644), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	free(cert);
	free(key);
}

TEST(tls_selfsigned_replaces_missing)
{
	char *cert, *key;

	make_pair(&cert, &key);
	ASSERT_EQ(unlink(key), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT_EQ(access(key, R_OK), 0);
	ASSERT_EQ(unlink(cert), 0);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 0);
	free(cert);
	free(key);
}

TEST(tls_selfsigned_replaces_mismatched_key)
{
	char  *cert, *key, *cert2, *key2, *data;
	size_t len;

	make_pair(&cert, &key);
	cert2 = tmp_path("cert2.pem");
	key2 = tmp_path("key2.pem");
	ASSERT_EQ(tls_selfsigned_ensure(cert2, key2, test_names, NULL, 0), 1);
	data = read_file(key2, 65536, &len);
	ASSERT_NOT_NULL(data);
	ASSERT_EQ(write_file_atomic(key, data, len, 0600), 0);
	free(data);

	ASSERT_NULL(tls_server_ctx(cert, key));
	ERR_clear_error();
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, test_names, NULL, 0), 0);
	free(cert);
	free(key);
	free(cert2);
	free(key2);
}

TEST(tls_selfsigned_bad_names)
{
	const char *const none[] = { NULL };
	const char *const space[] = { "localhost", "bad name", NULL };
	const char *const comma[] = { "a,DNS:evil.example", NULL };
	const char *const empty[] = { "", NULL };
	char             *cert, *key;

	cert = tmp_path("cert.pem");
	key = tmp_path("key.pem");
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, NULL, NULL, 0), -1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, none, NULL, 0), -1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, space, NULL, 0), -1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, comma, NULL, 0), -1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, empty, NULL, 0), -1);
	ASSERT_EQ(tls_selfsigned_ensure(cert, cert, test_names, NULL, 0), -1);
	ASSERT_EQ(access(cert, F_OK), -1);
	ASSERT_EQ(access(key, F_OK), -1);
	free(cert);
	free(key);
}

/* A long first name cannot be the CN (64 bytes at most), but still goes
 * into subjectAltName. */
TEST(tls_selfsigned_long_name)
{
	char              long_name[200];
	const char *const names[] = { long_name, "127.0.0.1", NULL };
	char             *cert, *key;
	X509             *x;

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	for (size_t i = 60; i < sizeof(long_name) - 1; i += 60)
		long_name[i] = '.';
	cert = tmp_path("cert.pem");
	key = tmp_path("key.pem");
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, names, NULL, 0), 1);
	x = load_cert(cert);
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(X509_check_host(x, long_name, 0, 0, NULL), 1);
	X509_free(x);
	ASSERT_EQ(tls_selfsigned_ensure(cert, key, names, NULL, 0), 0);
	free(cert);
	free(key);
}

TEST(tls_default_names_sane)
{
	char **v;
	size_t n;
	char  *cert, *key;

	v = tls_default_names(NULL);
	ASSERT_NOT_NULL(v);
	ASSERT_STR_EQ(v[0], "localhost");
	for (n = 0; v[n] != NULL; n++) {
		ASSERT(strncasecmp(v[n], "fe80:", 5) != 0);
		for (size_t j = 0; j < n; j++)
			ASSERT(strcasecmp(v[j], v[n]) != 0);
	}
	ASSERT(n >= 3);
	{
		int has4 = 0, has6 = 0;

		for (size_t i = 0; i < n; i++) {
			has4 |= strcmp(v[i], "127.0.0.1") == 0;
			has6 |= strcmp(v[i], "::1") == 0;
		}
		ASSERT(has4);
		ASSERT(has6);
	}

	/* Every default name is fit for a certificate. */
	cert = tmp_path("cert.pem");
	key = tmp_path("key.pem");
	ASSERT_EQ(
	    tls_selfsigned_ensure(cert, key, (const char *const *)v, NULL, 0),
	    1);
	ASSERT_EQ(
	    tls_selfsigned_ensure(cert, key, (const char *const *)v, NULL, 0),
	    0);
	tls_names_free(v);
	tls_names_free(NULL);
	free(cert);
	free(key);
}

TEST(tls_server_ctx_loads)
{
	SSL_CTX *ctx;
	char    *cert, *key, *none;

	make_pair(&cert, &key);
	ctx = tls_server_ctx(cert, key);
	ASSERT_NOT_NULL(ctx);
	ASSERT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	ASSERT((SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION) != 0);
	ASSERT((SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS) != 0);
	ASSERT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_SERVER);
	SSL_CTX_free(ctx);

	none = tmp_path("none.pem");
	ASSERT_NULL(tls_server_ctx(none, key));
	ASSERT_NULL(tls_server_ctx(cert, none));
	ASSERT_EQ(ERR_peek_error(), 0);
	free(none);
	free(cert);
	free(key);
}

TEST(tls_fingerprint_format)
{
	char  fp[96], line[256], cmd[512], *cert, *key, *eq;
	FILE *f;

	make_pair(&cert, &key);
	ASSERT_EQ(tls_fingerprint(cert, fp, sizeof(fp)), 0);
	ASSERT_EQ(strlen(fp), 95);
	for (size_t i = 0; i < 95; i++) {
		if (i % 3 == 2)
			ASSERT_EQ(fp[i], ':');
		else
			ASSERT(isdigit((unsigned char)fp[i]) ||
			    (fp[i] >= 'A' && fp[i] <= 'F'));
	}

	/* The same as the openssl tool says. */
	ASSERT(snprintf(cmd, sizeof(cmd),
	           "openssl x509 -noout -fingerprint -sha256 -in '%s'",
	           cert) < (int)sizeof(cmd));
	f = popen(cmd, "r");
	ASSERT_NOT_NULL(f);
	ASSERT_NOT_NULL(fgets(line, sizeof(line), f));
	ASSERT_EQ(pclose(f), 0);
	line[strcspn(line, "\n")] = '\0';
	eq = strchr(line, '=');
	ASSERT_NOT_NULL(eq);
	ASSERT_STR_EQ(eq + 1, fp);

	ASSERT_EQ(tls_fingerprint(cert, fp, 95), -1);
	ASSERT_EQ(tls_fingerprint(key, fp, sizeof(fp)), -1);
	free(key);
	key = tmp_path("none.pem");
	ASSERT_EQ(tls_fingerprint(key, fp, sizeof(fp)), -1);
	ASSERT_EQ(ERR_peek_error(), 0);
	free(cert);
	free(key);
}

TEST(tls_handshake_localhost)
{
	static const unsigned char alpn[] = "\x02h2\x08http/1.1";
	struct pair                p;
	char                       proto[32], *cert, *key;

	make_pair(&cert, &key);
	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set1_host(p.c, "localhost"), 1);
	ASSERT_EQ(SSL_set_tlsext_host_name(p.c, "localhost"), 1);
	ASSERT_EQ(SSL_set_alpn_protos(p.c, alpn, sizeof(alpn) - 1), 0);
	ASSERT_EQ(pair_handshake(&p), 0);
	ASSERT_EQ(SSL_get_verify_result(p.c), X509_V_OK);
	ASSERT_EQ(SSL_version(p.c), TLS1_3_VERSION);
	alpn_of(p.c, proto, sizeof(proto));
	ASSERT_STR_EQ(proto, "http/1.1");
	pair_exchange(&p);
	pair_close(&p);
	free(cert);
	free(key);
}

/* TLS 1.3 suites in the server's order: AES-128-GCM even for a client that
 * lists AES-256 first (OpenSSL's own default order); a client that offers
 * only AES-256 still gets it. */
TEST(tls_handshake_suite_order)
{
	struct pair p;
	char       *cert, *key;

	make_pair(&cert, &key);
	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set_ciphersuites(p.c,
	              "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"),
	    1);
	ASSERT_EQ(pair_handshake(&p), 0);
	ASSERT_STR_EQ(SSL_get_cipher_name(p.s), "TLS_AES_128_GCM_SHA256");
	pair_exchange(&p);
	pair_close(&p);

	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set_ciphersuites(p.c, "TLS_AES_256_GCM_SHA384"), 1);
	ASSERT_EQ(pair_handshake(&p), 0);
	ASSERT_STR_EQ(SSL_get_cipher_name(p.s), "TLS_AES_256_GCM_SHA384");
	pair_exchange(&p);
	pair_close(&p);
	free(cert);
	free(key);
}

TEST(tls_handshake_ip)
{
	static const char *const ips[] = { "127.0.0.1", "::1" };
	char                    *cert, *key;

	make_pair(&cert, &key);
	for (size_t i = 0; i < nitems(ips); i++) {
		struct pair        p;
		X509_VERIFY_PARAM *param;

		pair_open(&p, cert, key);
		param = SSL_get0_param(p.c);
		ASSERT_EQ(X509_VERIFY_PARAM_set1_ip_asc(param, ips[i]), 1);
		ASSERT_EQ(pair_handshake(&p), 0);
		ASSERT_EQ(SSL_get_verify_result(p.c), X509_V_OK);
		pair_exchange(&p);
		pair_close(&p);
	}
	free(cert);
	free(key);
}

/* The client refuses a name or address the certificate does not carry. */
TEST(tls_handshake_wrong_name)
{
	struct pair        p;
	X509_VERIFY_PARAM *param;
	char              *cert, *key;

	make_pair(&cert, &key);
	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set1_host(p.c, "evil.example"), 1);
	ASSERT_EQ(pair_handshake(&p), -1);
	ASSERT_EQ(SSL_get_verify_result(p.c), X509_V_ERR_HOSTNAME_MISMATCH);
	pair_close(&p);

	pair_open(&p, cert, key);
	param = SSL_get0_param(p.c);
	ASSERT_EQ(X509_VERIFY_PARAM_set1_ip_asc(param, "10.9.9.9"), 1);
	ASSERT_EQ(pair_handshake(&p), -1);
	ASSERT_EQ(SSL_get_verify_result(p.c), X509_V_ERR_IP_ADDRESS_MISMATCH);
	pair_close(&p);
	free(cert);
	free(key);
}

/* TLS 1.2 gets an ECDHE AEAD suite; a client offering only CBC is
 * refused. */
TEST(tls_handshake_tls12)
{
	struct pair p;
	char       *cert, *key;

	make_pair(&cert, &key);
	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set_max_proto_version(p.c, TLS1_2_VERSION), 1);
	ASSERT_EQ(SSL_set1_host(p.c, "localhost"), 1);
	ASSERT_EQ(pair_handshake(&p), 0);
	ASSERT_EQ(SSL_version(p.s), TLS1_2_VERSION);
	ASSERT(SSL_CIPHER_is_aead(SSL_get_current_cipher(p.s)));
	ASSERT_EQ(SSL_CIPHER_get_kx_nid(SSL_get_current_cipher(p.s)),
	    NID_kx_ecdhe);
	ASSERT_EQ(SSL_CIPHER_get_auth_nid(SSL_get_current_cipher(p.s)),
	    NID_auth_ecdsa);
	pair_exchange(&p);
	pair_close(&p);

	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set_max_proto_version(p.c, TLS1_2_VERSION), 1);
	ASSERT_EQ(SSL_set_cipher_list(p.c, "ECDHE-ECDSA-AES128-SHA256"), 1);
	ASSERT_EQ(pair_handshake(&p), -1);
	pair_close(&p);
	free(cert);
	free(key);
}

/* A client that offers only h2 gets no protocol chosen, not http/1.1 it
 * did not ask for; the handshake itself goes through. */
TEST(tls_handshake_alpn_h2_only)
{
	static const unsigned char alpn[] = "\x02h2";
	struct pair                p;
	char                       proto[32], *cert, *key;

	make_pair(&cert, &key);
	pair_open(&p, cert, key);
	ASSERT_EQ(SSL_set_alpn_protos(p.c, alpn, sizeof(alpn) - 1), 0);
	ASSERT_EQ(pair_handshake(&p), 0);
	alpn_of(p.c, proto, sizeof(proto));
	ASSERT_STR_EQ(proto, "");
	pair_close(&p);
	free(cert);
	free(key);
}
