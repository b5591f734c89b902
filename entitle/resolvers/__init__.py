"""Query and mutation resolvers per aggregate, and the per-request loaders."""
