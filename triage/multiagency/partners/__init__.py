"""The partner portal and the partner API: an agency sees and answers only the requests addressed to it."""
