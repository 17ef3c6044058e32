"""Job transport over Dramatiq: a Redis broker in production, an in-process one embedded."""
