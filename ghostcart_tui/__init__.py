"""GhostCart: an agentic shopping assistant for the terminal."""
