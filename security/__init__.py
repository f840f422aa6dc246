"""Security controls that apply to every page: second factor, session limits, client address,
log scrubbing, break-glass access and the read-audit view. See SECURITY.md."""
