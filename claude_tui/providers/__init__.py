"""Model providers: the Anthropic API, and the offline demo model."""
