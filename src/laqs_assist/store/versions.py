"""The store's migration names, in order, readable without importing sqlite-utils (schema.py defines them)."""

MIGRATION_SET = "laqs"
MIGRATIONS = ("0001_initial", "0002_search_batches", "0003_drafts", "0004_judgements_by_time",
              "0005_visit_pack_version", "0006_rating_decisions", "0007_action_updates", "0008_visit_summary",
              "0009_joint_visits", "0010_rating_cache", "0011_pooling", "0012_register",
              "0013_documents", "0014_reviews", "0015_store_size")
