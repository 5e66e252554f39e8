/* SPDX-License-Identifier: MIT */
/*
 * A server's environment from the hub (serverenv.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apilisten.h"
#include "config.h"
#include "hub.h"
#include "lib/util.h"
#include "oauth.h"
#include "scopes.h"
#include "server.h"
#include "serverenv.h"

/* Debian 12's classic notebook: its jupyter_server has no UI of its own
 * (no nbclassic, no JupyterLab), so its jupyterhub-singleuser is told to
 * serve notebook 6, which has the Control Panel button. */
#define DEBIAN_NOTEBOOK "/usr/lib/python3/dist-packages/notebook/notebookapp.py"
#define DEBIAN_LAB "/usr/lib/python3/dist-packages/jupyterlab"
#define NOTEBOOK_APP "notebook.notebookapp.NotebookApp"

int
server_env(const struct server *s, const char *root, const char *program,
    char **env, int n)
{
	const struct hub *hub = s->hub;
	char             *api, *scopes, *client, *callback;

	env[n++] = xasprintf("JUPYTERHUB_USER=%s", s->name);
	env[n++] = xasprintf("JUPYTERHUB_SERVICE_PREFIX=%s", s->url);
	if (s->sock[0] != '\0')
		env[n++] = xasprintf("RIG_SERVER_SOCK=%s", s->sock);
	if (s->port > 0)
		env[n++] = xasprintf("RIG_SERVER_PORT=%d", s->port);
	if (s->protocol != PROTO_JUPYTERHUB) {
		env[n++] = xasprintf("JUPYTER_TOKEN=%s", s->secret);
		return n;
	}
	api = xasprintf("http://%s:%d/hub/api", apilisten_address(hub),
	    hub->api_port);
	scopes = scopes_access_json(s->name, s->srv);
	env[n++] = xasprintf("JUPYTERHUB_API_TOKEN=%s", s->secret);
	env[n++] = xasprintf("JPY_API_TOKEN=%s", s->secret);
	env[n++] = xasprintf("JUPYTERHUB_API_URL=%s", api);
	env[n++] = xasprintf("JUPYTERHUB_ACTIVITY_URL=%s/users/%s/activity",
	    api, s->name);
	client = oauth_client_id(s->name, s->srv);
	callback = oauth_callback_url(s->name, s->srv);
	env[n++] = xasprintf("JUPYTERHUB_CLIENT_ID=%s", client);
	env[n++] = xasprintf("JUPYTERHUB_OAUTH_CALLBACK_URL=%s", callback);
	env[n++] = xasprintf("JUPYTERHUB_OAUTH_ACCESS_SCOPES=%s", scopes);
	env[n++] = xasprintf("JUPYTERHUB_OAUTH_SCOPES=%s", scopes);
	env[n++] =
	    xasprintf("JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES=%s", scopes);
	env[n++] = xstrdup("JUPYTERHUB_BASE_URL=/");
	env[n++] = xstrdup("JUPYTERHUB_HOST=");
	env[n++] = xasprintf("JUPYTERHUB_SERVER_NAME=%s", s->srv);
	/* On a Unix socket, no URL: singleuser would take its port from it,
	 * and a port beside --sock is refused. */
	if (s->port > 0)
		env[n++] =
		    xasprintf("JUPYTERHUB_SERVICE_URL=http://127.0.0.1:%d%s",
		        s->port, s->url);
	env[n++] = xasprintf("JUPYTERHUB_ROOT_DIR=%s", root);
	if (strncmp(program, "/usr/bin/", 9) == 0 &&
	    access(DEBIAN_NOTEBOOK, R_OK) == 0 && access(DEBIAN_LAB, F_OK) != 0)
		env[n++] = xstrdup("JUPYTERHUB_SINGLEUSER_APP=" NOTEBOOK_APP);
	free(api);
	free(scopes);
	free(client);
	free(callback);
	return n;
}
