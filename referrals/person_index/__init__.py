"""The person index: everyone the service knows, and matching referrals against it."""
