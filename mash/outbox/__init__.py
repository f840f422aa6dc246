"""The outbox: side effects written with the change that causes them (models, delivery)."""
