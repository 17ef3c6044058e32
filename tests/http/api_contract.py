"""The routes of API.md built so far (#17, and the provider webhooks of #18): method, path,
status codes.

Copied by hand from API.md's tables and conventions; path parameters are written `{}`
because their names are ours to choose. Every route may also answer the conventions'
codes (`COMMON`), and every route with a token may answer 401 (`AUTHENTICATED`).
"""

from __future__ import annotations

COMMON = (429,)
AUTHENTICATED = (401,)

ROUTES: dict[tuple[str, str], tuple[int, ...]] = {
    # Identity (IDN-1, IDN-2)
    ("POST", "/v1/auth/register"): (201, 409, 422),
    ("POST", "/v1/auth/login"): (200, 401),
    ("POST", "/v1/auth/logout"): (204,),
    ("GET", "/v1/me"): (200,),
    ("POST", "/v1/api-tokens"): (201,),
    ("DELETE", "/v1/api-tokens/{}"): (204, 404),
    # Catalog (CAT-1…6)
    ("GET", "/v1/features"): (200,),
    ("GET", "/v1/features/{}"): (200, 404),
    ("GET", "/v1/tags"): (200,),
    ("GET", "/v1/templates"): (200,),
    ("GET", "/v1/templates/{}"): (200, 404),
    ("GET", "/v1/provider-models"): (200,),
    # Generation (GEN-1…6, GEN-10)
    ("POST", "/v1/requests/estimate"): (200, 422),
    ("POST", "/v1/requests"): (202, 402, 409, 422),
    ("GET", "/v1/requests"): (200,),
    ("GET", "/v1/requests/{}"): (200, 404),
    ("POST", "/v1/requests/{}/cancel"): (200, 404, 409),
    ("DELETE", "/v1/requests/{}"): (204, 404),
    # Batches (GEN-7)
    ("POST", "/v1/batches"): (202, 402, 409, 422),
    ("GET", "/v1/batches"): (200,),
    ("GET", "/v1/batches/{}"): (200, 404),
    # Media (GEN-8, GEN-9)
    ("POST", "/v1/media"): (201, 413, 415),
    ("GET", "/v1/media"): (200,),
    ("GET", "/v1/media/{}"): (200, 404),
    ("GET", "/v1/media/{}/content"): (302, 404),
    ("PUT", "/v1/media/{}/favorite"): (204, 404),
    ("DELETE", "/v1/media/{}/favorite"): (204, 404),
    ("DELETE", "/v1/media/{}"): (204, 404),
    # Wallet (reads and redeem)
    ("GET", "/v1/wallet"): (200,),
    ("GET", "/v1/wallet/transactions"): (200,),
    ("POST", "/v1/wallet/redeem"): (200, 404, 409),
    ("GET", "/v1/credit-packs"): (200,),
    # Fine-tuning (TRN-1…3)
    ("POST", "/v1/trainings"): (202, 402, 409, 422),
    ("GET", "/v1/trainings/{}"): (200, 404),
    ("GET", "/v1/trained-models"): (200,),
    ("PATCH", "/v1/trained-models/{}"): (200, 404, 422),
    # Provider webhooks (EXE-2): verified against the raw body, else 401
    ("POST", "/v1/webhooks/{}"): (202, 401, 404),
    # Admin (is_admin): 403 for a caller who is not an admin
    ("GET", "/v1/admin/audit"): (200, 403),
    ("GET", "/v1/admin/settings"): (200, 403),
    ("POST", "/v1/admin/settings"): (201, 403, 409, 422),
    ("GET", "/v1/admin/settings/{}"): (200, 403, 404),
    ("PATCH", "/v1/admin/settings/{}"): (200, 403, 404, 409, 422),
    ("DELETE", "/v1/admin/settings/{}"): (204, 403, 404),
    ("GET", "/v1/admin/articles"): (200, 403),
    ("POST", "/v1/admin/articles"): (201, 403, 409, 422),
    ("GET", "/v1/admin/articles/{}"): (200, 403, 404),
    ("PATCH", "/v1/admin/articles/{}"): (200, 403, 404, 409, 422),
    ("DELETE", "/v1/admin/articles/{}"): (204, 403, 404),
    ("POST", "/v1/admin/articles/{}/publish"): (200, 403, 404, 409),
    ("POST", "/v1/admin/articles/{}/unpublish"): (200, 403, 404, 409),
    ("POST", "/v1/admin/articles/{}/archive"): (200, 403, 404, 409),
    ("POST", "/v1/admin/articles/{}/restore"): (200, 403, 404, 409),
    # Content (CNT-1): published articles, by id or slug
    ("GET", "/v1/articles"): (200,),
    ("GET", "/v1/articles/{}"): (200, 404),
    ("GET", "/v1/admin/coupons"): (200, 403, 422),
    ("POST", "/v1/admin/coupons"): (201, 403, 409, 422),
    ("GET", "/v1/admin/coupons/{}"): (200, 403, 404),
    ("PATCH", "/v1/admin/coupons/{}"): (200, 403, 404, 409, 422),
    ("DELETE", "/v1/admin/coupons/{}"): (204, 403, 404),
    ("GET", "/v1/admin/gift-cards"): (200, 403, 422),
    ("POST", "/v1/admin/gift-cards"): (201, 403, 422),
    ("GET", "/v1/admin/gift-cards/{}"): (200, 403, 404),
    ("PATCH", "/v1/admin/gift-cards/{}"): (200, 403, 404, 409, 422),
    ("DELETE", "/v1/admin/gift-cards/{}"): (204, 403, 404, 409),
    ("GET", "/v1/admin/credit-packs"): (200, 403, 422),
    ("POST", "/v1/admin/credit-packs"): (201, 403, 409, 422),
    ("GET", "/v1/admin/credit-packs/{}"): (200, 403, 404),
    ("PATCH", "/v1/admin/credit-packs/{}"): (200, 403, 404, 409, 422),
    ("DELETE", "/v1/admin/credit-packs/{}"): (204, 403, 404),
    ("GET", "/v1/admin/users"): (200, 403, 422),
    ("GET", "/v1/admin/users/{}"): (200, 403, 404),
    ("POST", "/v1/admin/users/{}/credits"): (200, 402, 403, 404, 409, 422),
    ("POST", "/v1/admin/jobs/{}/retry"): (202, 402, 403, 404, 409),
    # Admin of the catalog: features and templates are deleted softly and restored
    **{
        route: codes
        for kind in ("features", "templates", "tags", "provider-models")
        for route, codes in {
            ("GET", f"/v1/admin/{kind}"): (200, 403, 422),
            ("POST", f"/v1/admin/{kind}"): (201, 403, 409, 422),
            ("GET", f"/v1/admin/{kind}/{{}}"): (200, 403, 404),
            ("PATCH", f"/v1/admin/{kind}/{{}}"): (200, 403, 404, 409, 422),
            ("DELETE", f"/v1/admin/{kind}/{{}}"): (204, 403, 404, 409),
        }.items()
    },
    ("POST", "/v1/admin/features/{}/restore"): (200, 403, 404, 409),
    ("POST", "/v1/admin/templates/{}/restore"): (200, 403, 404, 409),
    # Operations
    ("GET", "/healthz"): (200,),
    ("GET", "/readyz"): (200,),
    ("GET", "/metrics"): (200,),
}

ANONYMOUS = {
    ("POST", "/v1/auth/register"),
    ("POST", "/v1/auth/login"),
    ("GET", "/v1/features"),
    ("GET", "/v1/features/{}"),
    ("GET", "/v1/tags"),
    ("GET", "/v1/templates"),
    ("GET", "/v1/templates/{}"),
    ("GET", "/v1/provider-models"),
    ("POST", "/v1/webhooks/{}"),
    ("GET", "/v1/articles"),
    ("GET", "/v1/articles/{}"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}

# Served outside the OpenAPI document itself.
UNDOCUMENTED = {("GET", "/openapi.json"), ("GET", "/docs")}

# The lists that page by cursor (API.md: every list takes `limit` and `cursor`).
PAGED = (
    "/v1/templates", "/v1/requests", "/v1/batches", "/v1/media", "/v1/wallet/transactions",
    "/v1/trained-models", "/v1/admin/settings", "/v1/articles", "/v1/admin/articles",
    "/v1/admin/coupons", "/v1/admin/gift-cards", "/v1/admin/credit-packs", "/v1/admin/users",
    "/v1/admin/features", "/v1/admin/templates", "/v1/admin/tags", "/v1/admin/provider-models",
)  # fmt: skip
