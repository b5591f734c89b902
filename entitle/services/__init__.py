"""Domain operations and rules; no GraphQL in here, so jobs and the CLI enforce them too."""
