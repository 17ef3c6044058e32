"""The names handlers take their dependencies by, typed for the handler's signature.

    def me(caller: Caller, container: Services) -> MeView: ...
    def list_media(caller: Caller, page: Paging, container: Services) -> Page[MediaView]: ...

`container` is the Container, `caller` the authenticated user and token (auth.py), `page`
the limit and position of a list call (pagination.py). Litestar hands them over as they
are: they are built by the app, not parsed from the request.
"""

from __future__ import annotations

from litestar.params import SkipValidation

from genmedia.application.identity.sessions import Authenticated
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.pagination import Cursors, PageRequest

Services = SkipValidation[Container]
Caller = SkipValidation[Authenticated]
Paging = SkipValidation[PageRequest]
Signing = SkipValidation[Cursors]
