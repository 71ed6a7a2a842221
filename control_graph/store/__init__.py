"""Storage: the ORM schema, database connections and migrations, dataset import, and the
queries that fetch what a question needs."""
