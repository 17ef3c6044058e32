"""Contract of the photo facts: the media SQL finds by their metadata are those the domain's
`has_facts` holds, on PostgreSQL (JSONB containment) and on SQLite (json_extract, json_each).

The property stores media with random seed 003 facts, then asks for random combinations of
`PhotoQuery` filters through `SqlMediaRepository.list_for_user`, and requires the ids found
to be the ids the domain picks from the same metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.repositories import SqlMediaRepository, SqlUserRepository
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.photos import PhotoQuery, has_facts, photo_facts
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

CONTRACT = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
INFO = ImageInfo(file_format="png", width=8, height=8, file_size=9, blurhash="L0")
COLOURS = st.sampled_from(["red", "black", "default"])
PLACES = st.lists(st.sampled_from(["beach", "city", "forest"]), unique=True, max_size=2)
SELECTIONS = st.fixed_dictionaries(
    {},
    optional={
        "aspectRatio": st.sampled_from(["1:1", "9:16"]),
        "glasses": st.sampled_from(["yes", "no"]),
        "hairColor": COLOURS,
        "backgrounds": PLACES,
        "styles": st.lists(st.sampled_from(["neon", "vintage"]), unique=True, max_size=2),
    },
)
FACTS = st.builds(
    lambda selection, reference, batch: {
        **photo_facts(selection, reference),
        **({"generationBatchId": batch} if batch else {}),
    },
    SELECTIONS,
    st.none() | st.integers(1, 3),
    st.none() | st.integers(1, 2),
)
QUERIES = st.builds(
    PhotoQuery,
    reference_image_id=st.none() | st.integers(1, 3),
    batch_id=st.none() | st.integers(1, 2),
    aspect_ratio=st.none() | st.sampled_from(["1:1", "9:16"]),
    glasses=st.none() | st.just("yes"),
    hair_color=st.none() | COLOURS,
    background=st.none() | st.sampled_from(["beach", "city", "forest"]),
    style=st.none() | st.just("neon"),
)


@contextmanager
def rolled_back(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose work is undone afterwards, so each example starts empty."""
    with engine.connect() as connection:
        try:
            yield connection
        finally:
            connection.rollback()


@CONTRACT
@given(stored=st.lists(FACTS, max_size=12), queries=st.lists(QUERIES, min_size=1, max_size=4))
def test_sql_finds_exactly_the_media_whose_metadata_holds_the_facts(
    engine: sa.Engine, stored: list[dict[str, Any]], queries: list[PhotoQuery]
) -> None:
    with rolled_back(engine) as connection:
        user = SqlUserRepository(connection).add(User(email="facts@example.com", name="F"))
        media = SqlMediaRepository(connection)
        ids = {
            media.add(
                Media(user_id=user.id or 0, kind=MediaKind.GENERATED, storage_path=f"p{i}",
                      info=INFO, metadata=facts)
            ).id: facts
            for i, facts in enumerate(stored)
        }  # fmt: skip
        for query in queries:
            found = media.list_for_user(user.id or 0, limit=100, facts=query.facts() or None)
            expected = sorted(
                (i for i, f in ids.items() if has_facts(f, query.facts())), reverse=True
            )
            assert [m.id for m in found] == expected, query
