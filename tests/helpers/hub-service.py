#!/usr/bin/python3
"""A JupyterHub service written as JupyterHub's documentation shows, with
Debian's jupyterhub package (jupyterhub.services.auth) and tornado, for
rig's managed services (t520). Everything it knows comes from the
JUPYTERHUB_* environment the hub gives it.

  PREFIX                  HubOAuth: the signed-in user's model as JSON
  PREFIX oauth_callback   HubOAuth's callback (code for token)
  PREFIX token            HubAuth: the model of the token in Authorization
  PREFIX self             the service's own token against GET /hub/api/user
"""
import json
import os
from urllib.parse import urlparse
from urllib.request import Request, urlopen

from tornado import ioloop, web

from jupyterhub.services.auth import (
    HubAuth,
    HubAuthenticated,
    HubOAuthCallbackHandler,
    HubOAuthenticated,
)


def model(user):
    return json.dumps(
        {"name": user.get("name"), "kind": user.get("kind"), "scopes": user.get("scopes", [])},
        sort_keys=True,
    )


class WhoAmI(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.write(model(self.get_current_user()))


class TokenWhoAmI(HubAuthenticated, web.RequestHandler):
    hub_auth = HubAuth()

    @web.authenticated
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.write(model(self.get_current_user()))


class Self(web.RequestHandler):
    def get(self):
        req = Request(
            os.environ["JUPYTERHUB_API_URL"] + "/user",
            headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]},
        )
        with urlopen(req, timeout=10) as r:
            self.set_header("Content-Type", "application/json")
            self.write(r.read())


def main():
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = web.Application(
        [
            (prefix, WhoAmI),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
            (prefix + "token", TokenWhoAmI),
            (prefix + "self", Self),
        ],
        cookie_secret=os.urandom(32),
    )
    app.listen(url.port, url.hostname)
    print("listening on", url.geturl(), flush=True)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
