/* SPDX-License-Identifier: MIT */
/*
 * The keys of the hub-to-server link (spawn-slurm-tls.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spawn-slurm-tls.h"
#include "lib/banned.h"

static char *bio_text(BIO *);
static int   add_ext(X509 *, int, const char *);
static int   make_pair(const char *, int, char **, char **);

/* The text a memory BIO holds, copied; NULL if empty. */
static char *
bio_text(BIO *b)
{
	char *data;
	long  len = BIO_get_mem_data(b, &data);

	if (len <= 0)
		return NULL;
	return xstrndup(data, (size_t)len);
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX      v3;
	X509_EXTENSION *ext;
	int             ok;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/*
 * A P-256 key and a certificate of it signed by itself: CN=name,
 * subjectAltName DNS:name, not a CA, for a server ('server') or a client;
 * a random 159-bit serial, valid from an hour ago (clocks differ) for
 * SLURM_TLS_DAYS. The key's PEM goes through a secure-memory BIO.
 */
static int
make_pair(const char *name, int server, char **key_pem, char **cert_pem)
{
	EVP_PKEY  *pkey;
	X509      *x = NULL;
	X509_NAME *subj;
	BIGNUM    *serial = NULL;
	BIO       *kb = NULL, *cb = NULL;
	char       san[80];
	int        ret = -1;

	*key_pem = *cert_pem = NULL;
	pkey = EVP_EC_gen("P-256");
	if (pkey == NULL || (x = X509_new()) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1)
		goto out;
	serial = BN_new();
	if (serial == NULL ||
	    BN_rand(serial, 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL)
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), SLURM_TLS_DAYS, 0, NULL) ==
	        NULL)
		goto out;
	subj = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_ASC,
	        (const unsigned char *)name, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, subj) != 1 || X509_set_pubkey(x, pkey) != 1)
		goto out;
	snprintf(san, sizeof(san), "DNS:%s", name);
	if (add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") == -1 ||
	    add_ext(x, NID_ext_key_usage,
	        server ? "serverAuth" : "clientAuth") == -1 ||
	    add_ext(x, NID_subject_alt_name, san) == -1 ||
	    X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto out;
	kb = BIO_new(BIO_s_secmem());
	cb = BIO_new(BIO_s_mem());
	if (kb == NULL || cb == NULL ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) !=
	        1 ||
	    PEM_write_bio_X509(cb, x) != 1)
		goto out;
	*key_pem = bio_text(kb);
	*cert_pem = bio_text(cb);
	if (*key_pem != NULL && *cert_pem != NULL)
		ret = 0;
out:
	if (ret == -1) {
		free_secret(*key_pem);
		free(*cert_pem);
		*key_pem = *cert_pem = NULL;
	}
	BIO_free(cb);
	BIO_free(kb);
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ret;
}

int
slurm_tls_make(struct slurm_tls *t, int hub)
{
	memset(t, 0, sizeof(*t));
	if (make_pair(SLURM_TLS_SERVER_NAME, 1, &t->server_key,
	        &t->server_cert) == -1 ||
	    (hub &&
	        make_pair(SLURM_TLS_HUB_NAME, 0, &t->hub_key, &t->hub_cert) ==
	            -1)) {
		unsigned long e = ERR_get_error();

		log_warnx("slurm: cannot make the server's TLS keys: %s",
		    e != 0 ? ERR_reason_error_string(e) : "unknown error");
		ERR_clear_error();
		slurm_tls_release(t);
		return -1;
	}
	return 0;
}

/* The PEM block at the start of 'p' (through its END line) as a new
 * string; NULL if 'p' does not start with one of 'kind'. '*end' past it. */
static char *
pem_block(const char *p, const char *kind, const char **end)
{
	char        begin[64], endl[64];
	const char *e;
	size_t      n;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----\n", kind);
	snprintf(endl, sizeof(endl), "-----END %s-----\n", kind);
	if (strncmp(p, begin, strlen(begin)) != 0 ||
	    (e = strstr(p, endl)) == NULL)
		return NULL;
	n = (size_t)(e - p) + strlen(endl);
	*end = p + n;
	return xstrndup(p, n);
}

int
slurm_tls_parse(const char *text, struct slurm_tls *t)
{
	const char *p = text;

	memset(t, 0, sizeof(*t));
	if ((t->server_key = pem_block(p, "PRIVATE KEY", &p)) == NULL ||
	    (t->server_cert = pem_block(p, "CERTIFICATE", &p)) == NULL ||
	    (*p != '\0' &&
	        ((t->hub_key = pem_block(p, "PRIVATE KEY", &p)) == NULL ||
	            (t->hub_cert = pem_block(p, "CERTIFICATE", &p)) == NULL)) ||
	    *p != '\0') {
		slurm_tls_release(t);
		return -1;
	}
	return 0;
}

void
slurm_tls_release(struct slurm_tls *t)
{
	free_secret(t->server_key);
	free(t->server_cert);
	free_secret(t->hub_key);
	free(t->hub_cert);
	memset(t, 0, sizeof(*t));
}
