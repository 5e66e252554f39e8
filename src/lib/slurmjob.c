/* SPDX-License-Identifier: MIT */
/*
 * Parsing Slurm's listings of batch jobs and checking the values rig
 * hands sbatch (slurmjob.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "slurmjob.h"
#include "banned.h"

/* Copies the 'n' bytes at 's' into 'out' of 'len'; -1 if they do not fit. */
static int
field(char *out, size_t len, const char *s, size_t n)
{
	if (n >= len)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int
slurmjob_parse_queue(const char *line, struct slurmjob *j)
{
	struct {
		char  *out;
		size_t len;
	} f[] = {
		{ j->id, sizeof(j->id) },
		{ j->state, sizeof(j->state) },
		{ j->elapsed, sizeof(j->elapsed) },
		{ j->partition, sizeof(j->partition) },
		{ j->nodes, sizeof(j->nodes) },
		{ j->reason, sizeof(j->reason) },
		{ j->user, sizeof(j->user) },
	};
	const char *p = line, *bar;

	memset(j, 0, sizeof(*j));
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		bar = strchr(p, '|');
		if (bar == NULL || field(f[i].out, f[i].len, p, bar - p) == -1)
			return -1;
		p = bar + 1;
	}
	/* The name is the rest, '|' and all. */
	if (field(j->name, sizeof(j->name), p, strlen(p)) == -1)
		return -1;
	if (j->id[0] == '\0' || j->state[0] == '\0')
		return -1;
	return 0;
}

/* Whether the word at 'p' starts a "Key=" of scontrol's: letters, digits,
 * ':' and '/' up to '='. */
static int
is_key(const char *p, size_t *keylen)
{
	size_t n = 0;

	if (!isalpha((unsigned char)p[0]))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == ':' || p[n] == '/' ||
	    p[n] == '_')
		n++;
	if (p[n] != '=')
		return 0;
	*keylen = n;
	return 1;
}

int
slurmjob_parse_show(const char *line, struct slurmjob *j)
{
	char        array_job[24] = "", task[SLURMJOB_ID_MAX] = "";
	char        job[24] = "";
	const char *p = line, *val, *end, *q;
	size_t      klen, k2;
	int         r;

	memset(j, 0, sizeof(*j));
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		if (!is_key(p, &klen))
			return -1;
		val = p + klen + 1;
		/* The value ends where " Key=" starts, or at the end. */
		end = val + strlen(val);
		for (q = val; *q != '\0'; q++)
			if (*q == ' ' && is_key(q + 1, &k2)) {
				end = q;
				break;
			}
#define KEY(s) (klen == strlen(s) && strncmp(p, s, klen) == 0)
		r = 0;
		if (KEY("JobId"))
			r = field(job, sizeof(job), val, end - val);
		else if (KEY("ArrayJobId"))
			r = field(array_job, sizeof(array_job), val, end - val);
		else if (KEY("ArrayTaskId"))
			r = field(task, sizeof(task), val, end - val);
		else if (KEY("JobName"))
			r = field(j->name, sizeof(j->name), val, end - val);
		else if (KEY("UserId")) {
			/* "alice(1001)": the name. */
			q = memchr(val, '(', end - val);
			r = field(j->user, sizeof(j->user), val,
			    (q != NULL ? q : end) - val);
		} else if (KEY("JobState"))
			r = field(j->state, sizeof(j->state), val, end - val);
		else if (KEY("Reason"))
			r = field(j->reason, sizeof(j->reason), val, end - val);
		else if (KEY("RunTime"))
			r = field(j->elapsed, sizeof(j->elapsed), val,
			    end - val);
		else if (KEY("Partition"))
			r = field(j->partition, sizeof(j->partition), val,
			    end - val);
		else if (KEY("NodeList"))
			r = field(j->nodes, sizeof(j->nodes), val, end - val);
		else if (KEY("ExitCode"))
			r = field(j->exit_code, sizeof(j->exit_code), val,
			    end - val);
		else if (KEY("StdOut"))
			r = field(j->out_path, sizeof(j->out_path), val,
			    end - val);
#undef KEY
		if (r == -1)
			return -1;
		p = *end == ' ' ? end + 1 : end;
	}
	if (job[0] == '\0' || j->state[0] == '\0')
		return -1;
	if (strcmp(j->nodes, "(null)") == 0)
		j->nodes[0] = '\0';
	memcpy(j->job_id, job, sizeof(j->job_id));
	if (array_job[0] != '\0' && task[0] != '\0')
		r = snprintf(j->id, sizeof(j->id), "%s_%s", array_job, task);
	else
		r = snprintf(j->id, sizeof(j->id), "%s", job);
	return r < 0 || (size_t)r >= sizeof(j->id) ? -1 : 0;
}

/* Whether 's' is 1 to 10 digits up to 'end'. */
static int
digits(const char *s, const char *end)
{
	if (end == s || end - s > 10)
		return 0;
	for (; s < end; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
slurmjob_id_ok(const char *id, int *task)
{
	const char *u = strchr(id, '_');

	if (task != NULL)
		*task = u != NULL;
	if (u == NULL)
		return digits(id, id + strlen(id));
	return digits(id, u) && digits(u + 1, u + 1 + strlen(u + 1));
}

const char *
slurmjob_name_error(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return "is empty";
	if (n > SLURMJOB_NAME_MAX)
		return "is longer than 64 characters";
	if (name[0] == '-' || name[0] == '.')
		return "starts with '-' or '.'";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '-')
			return "may hold only letters, digits, '.', '_' and "
			       "'-'";
	if (strcmp(name, "rig-server") == 0)
		return "is the hub's name for users' servers";
	return NULL;
}

const char *
slurmjob_mem_error(const char *mem)
{
	size_t n = strlen(mem), d = strspn(mem, "0123456789");

	if (d == 0 || d > 12)
		return "is not an amount such as 512M or 4G";
	if (d == n)
		return NULL;
	if (d + 1 == n && strchr("KMGTkmgt", mem[d]) != NULL)
		return NULL;
	return "is not an amount such as 512M or 4G";
}

const char *
slurmjob_time_error(const char *t)
{
	const char *dash = strchr(t, '-');
	size_t      n = strlen(t);
	int         colons = 0;

	if (n == 0 || n > 20 || strspn(t, "0123456789:-") != n)
		return "is not a time such as 90, 1:30:00 or 2-00:00:00";
	if (dash != NULL && (dash == t || strchr(dash + 1, '-') != NULL))
		return "is not a time such as 90, 1:30:00 or 2-00:00:00";
	for (const char *p = t; *p != '\0'; p++) {
		if (*p == ':' &&
		    (p == t || p[1] == '\0' || p[1] == ':' || p[-1] == '-' ||
		        p[1] == '-'))
			return "is not a time such as 90, 1:30:00 or "
			       "2-00:00:00";
		colons += *p == ':';
	}
	if (colons > 2 || (dash != NULL && dash[1] == '\0'))
		return "is not a time such as 90, 1:30:00 or 2-00:00:00";
	return NULL;
}

const char *
slurmjob_array_error(const char *spec)
{
	size_t n = strlen(spec);

	if (n == 0 || n > 128 || strspn(spec, "0123456789,-:%") != n ||
	    !isdigit((unsigned char)spec[0]) ||
	    !isdigit((unsigned char)spec[n - 1]))
		return "is not an array such as 0-9, 1,3,5 or 0-15:4%2";
	for (size_t i = 1; i < n; i++)
		if (!isdigit((unsigned char)spec[i]) &&
		    !isdigit((unsigned char)spec[i - 1]))
			return "is not an array such as 0-9, 1,3,5 or 0-15:4%2";
	return NULL;
}

int
slurmjob_out_file(const struct slurmjob *j, char *out, size_t len)
{
	const char *p = j->out_path, *u = strchr(j->id, '_'), *add;
	char        arr[SLURMJOB_ID_MAX];
	size_t      k = 0, n;

	if (p[0] != '/' || len == 0)
		return -1;
	if (field(arr, sizeof(arr), j->id,
	        u != NULL ? (size_t)(u - j->id) : strlen(j->id)) == -1)
		return -1;
	for (; *p != '\0'; p++) {
		add = NULL;
		n = 1;
		if (*p == '%') {
			switch (*++p) {
			case '%':
				add = "%";
				break;
			case 'j':
				add = j->job_id[0] != '\0' ? j->job_id : arr;
				break;
			case 'A':
				add = arr;
				break;
			case 'a':
				add = u != NULL ? u + 1 : "4294967294";
				break;
			case 'x':
				add = j->name;
				break;
			case 'u':
				add = j->user;
				break;
			default:
				return -1;
			}
			n = strlen(add);
		}
		if (k + n >= len)
			return -1;
		memcpy(out + k, add != NULL ? add : p, n);
		k += n;
	}
	out[k] = '\0';
	return 0;
}

int
slurmjob_state_done(const char *state)
{
	static const char *const live[] = { "PENDING", "RUNNING", "SUSPENDED",
		"COMPLETING", "CONFIGURING", "RESIZING", "REQUEUED",
		"REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SIGNALING",
		"STAGE_OUT", "STOPPED" };

	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		if (strcmp(state, live[i]) == 0)
			return 0;
	return 1;
}
