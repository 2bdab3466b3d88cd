"""The list of job modules; each registers its job with ``@job(name)`` on import."""
